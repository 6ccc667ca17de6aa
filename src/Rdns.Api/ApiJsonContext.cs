using System.Text.Json;
using System.Text.Json.Serialization;
using Rdns.Api.Audit;
using Rdns.Api.Auth;
using Rdns.Api.Dnssec;
using Rdns.Api.Endpoints;
using Rdns.Api.Health;
using Rdns.Api.Ptr;
using Rdns.Api.Secondary;
using Rdns.Api.Tenants;
using Rdns.Api.Updates;
using Rdns.Api.Views;
using Rdns.Api.Zones;
using Rdns.Control.Dnssec;
using Rdns.Control.Tenants;
using Rdns.Control.Updates;
using Rdns.Control.Views;

namespace Rdns.Api;

/// <summary>
/// Every type the API reads or writes as JSON, by source generation: the serializer needs no
/// reflection, so the API behaves the same in a JIT and a Native AOT build. A type missing here
/// fails as soon as its endpoint is built, in both builds. The values Problem Details carry as
/// extensions (strings, numbers, lists of strings) are here too.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
// Bodies read by ApiJson.
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(ViewRequest))]
[JsonSerializable(typeof(UpdateTenantRequest))]
[JsonSerializable(typeof(UpdatePoolRequest))]
[JsonSerializable(typeof(RolloverRequest))]
[JsonSerializable(typeof(ReverseRequest))]
[JsonSerializable(typeof(RRsetPatch))]
[JsonSerializable(typeof(PtrRequest))]
[JsonSerializable(typeof(EnableDnssecRequest))]
[JsonSerializable(typeof(DomainRequest))]
[JsonSerializable(typeof(CreateZoneRequest))]
[JsonSerializable(typeof(CreateTsigKeyRequest))]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(CreatePoolRequest))]
[JsonSerializable(typeof(CreateAllocationRequest))]
[JsonSerializable(typeof(BulkReverseRequest))]
[JsonSerializable(typeof(BulkPtrRequest))]
// Responses.
[JsonSerializable(typeof(DnssecStatus))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(Page<KeyInfo>))]
[JsonSerializable(typeof(ViewResponse))]
[JsonSerializable(typeof(List<ViewResponse>))]
[JsonSerializable(typeof(TenantView))]
[JsonSerializable(typeof(Page<TenantView>))]
[JsonSerializable(typeof(ReverseView))]
[JsonSerializable(typeof(Page<ReverseView>))]
[JsonSerializable(typeof(PrivateReverse))]
[JsonSerializable(typeof(PoolView))]
[JsonSerializable(typeof(Page<PoolView>))]
[JsonSerializable(typeof(ZoneView))]
[JsonSerializable(typeof(ZoneList))]
[JsonSerializable(typeof(ZoneDetail))]
[JsonSerializable(typeof(ChangeResult))]
[JsonSerializable(typeof(SecondaryView))]
[JsonSerializable(typeof(PromotionView))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(PtrView))]
[JsonSerializable(typeof(BulkPtrResult))]
[JsonSerializable(typeof(TsigKeyCreated))]
[JsonSerializable(typeof(Page<TsigKeyView>))]
[JsonSerializable(typeof(DomainView))]
[JsonSerializable(typeof(Page<DomainView>))]
[JsonSerializable(typeof(Page<AuditView>))]
[JsonSerializable(typeof(AllocationView))]
[JsonSerializable(typeof(Page<AllocationView>))]
[JsonSerializable(typeof(BulkReverseResult))]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(HealthStatus))]
// Problem Details extension values.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
