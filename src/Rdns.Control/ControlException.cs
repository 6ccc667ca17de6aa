using Rdns.Zones.Writes;

namespace Rdns.Control;

/// <summary>
/// A business-rule failure of the control plane (tenants, pools, forward checks) with a stable
/// machine-readable code: one of the write path's errors (<see cref="WriteException"/>), so every
/// layer reports failures in one vocabulary and the API maps them in one place.
/// </summary>
public sealed class ControlException(WriteError kind, string code, string message, string? field = null, IReadOnlyDictionary<string, object?>? details = null)
    : WriteException(kind, code, message, field, details);
