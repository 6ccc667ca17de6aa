using Rdns.Protocol.Names;
using Rdns.Protocol.Text;

namespace Rdns.Protocol.Tests.Text;

public sealed class IncludeDirectiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-include-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static readonly ZoneFileOptions Allowed = new() { AllowInclude = true };

    [Fact]
    public void Include_is_refused_unless_enabled()
    {
        Write("zones/part.inc", "x.example. 60 A 192.0.2.1\n");
        var main = Write("zones/main.zone", "$TTL 60\n$INCLUDE part.inc\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main));
        Assert.Equal($"{main}:2: $INCLUDE is not allowed here (ZoneFileOptions.AllowInclude is off)", e.Message);
    }

    [Fact]
    public void Included_files_are_found_beside_the_including_file_and_take_the_given_origin()
    {
        Write("zones/sub/part.inc", "inc A 192.0.2.9\n  TXT \"in the include\"\n$ORIGIN elsewhere.\nz A 192.0.2.10\n");
        var main = Write("zones/main.zone",
            "$ORIGIN example.\n$TTL 60\nn5 A 192.0.2.5\n$INCLUDE sub/part.inc sub\n A 192.0.2.6\nn7 A 192.0.2.7\n");
        Assert.Equal(
        [
            "n5.example. 60 IN A 192.0.2.5",
            "inc.sub.example. 60 IN A 192.0.2.9",
            "inc.sub.example. 60 IN TXT \"in the include\"",
            "z.elsewhere. 60 IN A 192.0.2.10",
            // RFC 1035 §5.1: back in the including file, its origin and owner are as they were.
            "n5.example. 60 IN A 192.0.2.6",
            "n7.example. 60 IN A 192.0.2.7",
        ], ZoneFileReader.ReadFile(main, Allowed).Select(r => r.ToString()));
    }

    [Fact]
    public void Without_an_origin_argument_the_include_inherits_the_current_one_and_TTL_directives_carry_on()
    {
        Write("part.inc", "$TTL 77\na A 192.0.2.1\n");
        var main = Write("main.zone", "$ORIGIN example.\n$TTL 60\n$INCLUDE \"part.inc\"\nb A 192.0.2.2\n");
        Assert.Equal(["a.example. 77 IN A 192.0.2.1", "b.example. 77 IN A 192.0.2.2"],
            ZoneFileReader.ReadFile(main, Allowed).Select(r => r.ToString()));
    }

    [Fact]
    public void An_included_file_starts_without_a_previous_owner()
    {
        var part = Write("part.inc", "\n  A 192.0.2.1\n");
        var main = Write("main.zone", "$TTL 60\nx.example. A 192.0.2.9\n$INCLUDE part.inc\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, Allowed));
        Assert.Equal($"{part}:2: the record has no owner name and there is no previous record to take it from", e.Message);
    }

    [Fact]
    public void Errors_inside_an_include_name_the_included_file()
    {
        var part = Write("part.inc", "a.example. 60 A 192.0.2.1\nb.example. 1q A 192.0.2.2\n");
        var main = Write("main.zone", "$INCLUDE part.inc\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, Allowed));
        Assert.Equal($"{part}:2: TTL '1q' is not a number or a duration", e.Message);
    }

    [Fact]
    public void Includes_nest_only_so_deep()
    {
        var loop = Write("loop.zone", "$INCLUDE loop.zone\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(loop, Allowed));
        Assert.Equal($"{loop}:1: $INCLUDE nested more than 8 deep", e.Message);
        Write("b.inc", "b.example. 60 A 192.0.2.2\n");
        var a = Write("a.inc", "$INCLUDE b.inc\n");
        var main = Write("main.zone", "$INCLUDE a.inc\n");
        Assert.Single(ZoneFileReader.ReadFile(main, Allowed with { MaxIncludeDepth = 2 }));
        e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, Allowed with { MaxIncludeDepth = 1 }));
        Assert.Equal($"{a}:1: $INCLUDE nested more than 1 deep", e.Message);
    }

    [Fact]
    public void A_missing_file_or_bad_arguments_are_errors_of_the_including_line()
    {
        var main = Write("main.zone", "\n$INCLUDE nothing-here.inc\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, Allowed));
        Assert.StartsWith($"{main}:2: cannot $INCLUDE '{Path.Combine(_dir, "nothing-here.inc")}': ", e.Message);
        main = Write("main2.zone", "$INCLUDE a b. c\n");
        e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, Allowed));
        Assert.Equal($"{main}:1: $INCLUDE takes a file name and an optional origin", e.Message);
    }

    [Fact]
    public void Zone_checking_applies_inside_includes()
    {
        Write("part.inc", "x.other. 60 A 192.0.2.1\n");
        var main = Write("main.zone", "$INCLUDE part.inc\n");
        var options = Allowed with { Origin = DnsName.Parse("example."), CheckZone = true };
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(main, options));
        Assert.EndsWith("part.inc:1: 'x.other.' is out of zone: not at or below example.", e.Message);
    }
}
