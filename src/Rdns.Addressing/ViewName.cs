namespace Rdns.Addressing;

/// <summary>
/// Names of views (BIND's split horizon): the built-in <see cref="Public"/> view, which answers
/// everyone no other view matches and is what a server without views serves, and operators' own.
/// A name is 1-63 characters of lowercase letters, digits and hyphens, starting with a letter, so
/// it can stand in a URL, a catalog zone's label (<c>catalog.NAME.invalid.</c>) and a store key.
/// </summary>
public static class ViewName
{
    public const string Public = "public";

    public static bool IsPublic(string? view) => view is null || view == Public;

    public static bool TryValidate(string? name, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(name))
            error = "a view name is required";
        else if (name.Length > 63)
            error = "a view name is at most 63 characters";
        else if (name[0] is < 'a' or > 'z')
            error = "a view name starts with a lowercase letter";
        else if (name.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
            error = "a view name holds only lowercase letters, digits and hyphens";
        return error is null;
    }
}
