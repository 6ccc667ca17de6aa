using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Differential;

/// <summary>
/// The comparison, relaxed only as each case's <see cref="AcceptedDifference"/> says; every
/// relaxation is one entry of docs/COMPLIANCE.md "Accepted differences from Knot DNS".
/// </summary>
public static class AcceptedDifferences
{
    public static bool Match(DifferentialCase c, ResponseView knot, ResponseView rdns) => c.Accepted switch
    {
        AcceptedDifference.None => knot.SameAs(rdns),
        AcceptedDifference.CdCopied =>
            Has(rdns, HeaderFlags.CD) && !Has(knot, HeaderFlags.CD) && knot.SameAs(rdns.Without(HeaderFlags.CD)),
        AcceptedDifference.FormErrWhereKnotDrops or AcceptedDifference.FormErrForSeveralQuestions =>
            knot.Message is null && knot.Summary == "no reply" && IsBareFormErr(rdns, c.Wire),
        AcceptedDifference.FormErrKeepsOpt =>
            knot.Message is { Edns: null, Rcode: (int)Rcode.FormErr } &&
            rdns.Message is { Edns: { Version: 0 }, Rcode: (int)Rcode.FormErr } &&
            knot.SameAs(rdns.WithoutOpt()),
        AcceptedDifference.OptOwnerNotRoot =>
            knot.Message is { Rcode: (int)Rcode.NoError, Answers.Count: > 0 } &&
            rdns.Message is { Edns: not null } && IsBareFormErr(rdns, c.Wire),
        AcceptedDifference.MixedTtlFirstWins =>
            rdns.Answer.Count > 0 && rdns.Answer.All(l => l.StartsWith(MixedTtlSet + " 3600 ", StringComparison.Ordinal)) &&
            knot.Answer.All(l => l.StartsWith(MixedTtlSet + " 600 ", StringComparison.Ordinal)) &&
            knot.WithAnswerTtl(MixedTtlSet, 600, 3600).SameAs(rdns),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Accepted, null),
    };

    /// <summary>The one RRset of the differential zones whose records the zone file gives different TTLs.</summary>
    public const string MixedTtlSet = "4.2.0.192.in-addr.arpa.";

    private static bool Has(ResponseView view, HeaderFlags flag) => view.Message is not null && view.Message.Has(flag);

    /// <summary>FORMERR with the query's ID, QR set, AA clear and no records: nothing more to say.</summary>
    private static bool IsBareFormErr(ResponseView view, byte[] query) =>
        view.Message is { } m && m.Rcode == (int)Rcode.FormErr && m.Has(HeaderFlags.QR) && !m.Has(HeaderFlags.AA) &&
        m.Answers.Count == 0 && m.Authority.Count == 0 && m.Additional.Count == 0 &&
        query.Length >= 2 && m.Id == (query[0] << 8 | query[1]);
}
