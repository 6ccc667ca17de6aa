namespace Rdns.Zones.Updates;

/// <summary>The answer: a permission, or the reason for REFUSED.</summary>
public sealed record UpdateAuthorization(UpdatePermission? Permission, string? Refusal)
{
    public static UpdateAuthorization Refused(string reason) => new(null, reason);

    public static UpdateAuthorization Granted(UpdatePermission permission) => new(permission, null);
}
