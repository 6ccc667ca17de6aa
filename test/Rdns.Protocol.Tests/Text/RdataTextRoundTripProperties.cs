using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Text;

/// <summary>
/// The text form must lose nothing: for any valid RDATA x of any type,
/// RdataParser.Parse(type, Rdata.ToText(type, x)) gives back x octet for octet (case included).
/// </summary>
public class RdataTextRoundTripProperties
{
    [Fact]
    public void Parse_of_ToText_gives_back_the_same_octets_for_every_type()
    {
        var property = Prop.ForAll(RdataGenerators.AnyRdata.ToArbitrary(), rdata =>
        {
            Assert.True(Rdata.IsValid(rdata.Type, rdata.Data), "the generator makes only valid RDATA");
            var text = Rdata.ToText(rdata.Type, rdata.Data);
            var parsed = RdataParser.Parse(rdata.Type, text);
            Assert.True(parsed.AsSpan().SequenceEqual(rdata.Data),
                $"{RecordTypeText.ToText(rdata.Type)} '{text}' read back as {Convert.ToHexString(parsed)}, not {Convert.ToHexString(rdata.Data)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property);
    }

    [Fact]
    public void Every_type_with_a_text_form_is_covered_by_the_generator()
    {
        var covered = RdataGenerators.AnyRdata.Sample(2000, 30).Select(r => r.Type).ToHashSet();
        foreach (var type in Enum.GetValues<RecordType>().Where(RdataParser.HasTextForm))
            Assert.Contains(type, covered);
    }
}
