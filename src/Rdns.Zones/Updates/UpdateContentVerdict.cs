namespace Rdns.Zones.Updates;

/// <summary>Refused with a reason, or accepted with what Control commits beside the change (<see cref="Writes.ZoneWrite.Attachment"/>).</summary>
public sealed record UpdateContentVerdict(string? Refusal, object? Attachment = null);
