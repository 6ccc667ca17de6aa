using System.Text.Json;
using System.Text.Json.Serialization;
using Rdns.Control.Updates;

namespace Rdns.Control;

/// <summary>
/// The JSON the control layer keeps in files and the store (update rules, refresh times), by
/// source generation: no reflection, so it works the same in a Native AOT build.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<UpdateRuleSpec>))]
internal sealed partial class ControlJson : JsonSerializerContext;
