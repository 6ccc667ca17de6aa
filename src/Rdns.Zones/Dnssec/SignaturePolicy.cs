namespace Rdns.Zones.Dnssec;

/// <summary>How long signatures live and when they are made anew.</summary>
/// <param name="Validity">From signing to expiration. 14 days, as Knot's default: a secondary that lost its primary keeps validating answers for two weeks.</param>
/// <param name="Refresh">A cached signature with less than this left is made again. 7 days: half the validity, so a resolver never holds one close to expiring.</param>
/// <param name="InceptionOffset">Inception is set this far in the past, so validators whose clocks run behind accept fresh signatures (RFC 6781 §4.4.2.2).</param>
public sealed record SignaturePolicy(TimeSpan Validity, TimeSpan Refresh, TimeSpan InceptionOffset)
{
    public static readonly SignaturePolicy Default = new(TimeSpan.FromDays(14), TimeSpan.FromDays(7), TimeSpan.FromHours(1));
}
