using FsCheck;
using FsCheck.Fluent;

namespace Rdns.Addressing.Tests.Properties;

/// <summary>Random addresses and prefixes over the whole space of each family.</summary>
internal static class Generators
{
    public static readonly Gen<IpAddress> V4 =
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => IpAddress.FromV4(unchecked((uint)i)));

    // Half the groups are zero so that '::' compression, its ties and its absence all occur.
    private static readonly Gen<int> Group = Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(0, 0xffff)));

    public static readonly Gen<IpAddress> V6 = Gen.ArrayOf(Group, 8).Select(groups =>
    {
        UInt128 value = 0;
        foreach (int g in groups)
            value = (value << 16) | (uint)g;
        return IpAddress.FromV6(value);
    });

    public static readonly Gen<IpAddress> Any = Gen.OneOf(V4, V6);

    public static Gen<IpPrefix> PrefixOf(Gen<IpAddress> addresses, int maxLength = 128) =>
        from address in addresses
        from length in Gen.Choose(0, Math.Min(maxLength, address.BitLength))
        select IpPrefix.Containing(address, length);

    public static readonly Gen<IpPrefix> AnyPrefix = PrefixOf(Any);

    /// <summary>An IPv4 address with the /25 … /32 block around it that an RFC 2317 child could cover.</summary>
    public static readonly Gen<(IpAddress Address, IpPrefix Block, ClasslessStyle Style)> V4InClasslessBlock =
        from address in V4
        from length in Gen.Choose(25, 32)
        from style in Gen.Elements(ClasslessStyle.Dash, ClasslessStyle.Slash)
        select (address, IpPrefix.Containing(address, length), style);

    public static void Check<T>(Gen<T> gen, Func<T, bool> property, int tests = 1000)
        => FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests), Prop.ForAll(gen.ToArbitrary(), property));
}
