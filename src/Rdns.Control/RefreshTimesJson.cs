using System.Text.Json.Serialization;

namespace Rdns.Control;

/// <summary>The refresh-times file: zone name to Unix seconds, with the serializer's default (not Web) options it has always been written with.</summary>
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class RefreshTimesJson : JsonSerializerContext;
