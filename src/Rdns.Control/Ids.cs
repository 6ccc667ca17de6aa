using System.Security.Cryptography;

namespace Rdns.Control;

/// <summary>Opaque random ids with a readable kind prefix (<c>ten_…</c>, <c>pool_…</c>, <c>alloc_…</c>).</summary>
public static class Ids
{
    public static string New(string kind) => kind + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
