namespace Rdns.Api.Audit;

/// <summary>
/// One audit row: when, who (the key's actor: <c>admin:key_…</c>, <c>tenant:ten_…:key_…</c>, or a
/// DNS UPDATE key), what (action and target, with a detail), the value before and after the
/// change when there is one, and the client address.
/// </summary>
public sealed record AuditView(long Id, DateTimeOffset At, string Who, string Action, string Target, string? Detail, string? Before, string? After, string? RemoteAddress);
