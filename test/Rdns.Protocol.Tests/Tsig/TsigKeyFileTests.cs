using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>BIND's <c>key</c> statements, as <c>tsig-keygen</c> writes them and <c>named.conf</c> holds them.</summary>
public class TsigKeyFileTests
{
    private const string Sha256Secret = "a2V5LW9uZS1zZWNyZXQtYWFhYWFhYWFhYWFhYWFhYWE=";

    private static TsigKeyFileException Fails(string text) =>
        Assert.Throws<TsigKeyFileException>(() => TsigKeyFile.Parse(text, "keys.conf"));

    [Fact]
    public void Reads_several_keys_with_every_kind_of_comment()
    {
        string text = $$"""
            # a shell-style comment
            // a C++-style comment
            key "transfer.example" {
                algorithm hmac-sha256;   # after a clause
                secret "{{Sha256Secret}}";
            };
            /* a C-style comment
               over two lines */
            key notify.example. { algorithm HMAC-SHA512; secret "c2Vjb25k"; };
            key "old-peer" {
              algorithm hmac-sha1; // for an old secondary
              secret "dGhpcmQ=";
            };
            """;
        var keys = TsigKeyFile.Parse(text, "keys.conf");
        Assert.Equal(3, keys.Count);
        Assert.Equal("transfer.example.", keys[0].Name.ToString());
        Assert.Equal(TsigAlgorithm.HmacSha256, keys[0].Algorithm);
        Assert.Equal(Convert.FromBase64String(Sha256Secret), keys[0].Secret.ToArray());
        Assert.Equal("notify.example.", keys[1].Name.ToString());
        Assert.Equal(TsigAlgorithm.HmacSha512, keys[1].Algorithm);
        Assert.Equal("second"u8.ToArray(), keys[1].Secret.ToArray());
        Assert.Equal(TsigAlgorithm.HmacSha1, keys[2].Algorithm);
        Assert.Equal("old-peer.", keys[2].Name.ToString());
    }

    [Fact]
    public void An_empty_file_or_one_of_comments_holds_no_keys()
    {
        Assert.Empty(TsigKeyFile.Parse(""));
        Assert.Empty(TsigKeyFile.Parse("# nothing\n/* here */\n"));
    }

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public void A_generated_key_reads_back_the_same(TsigAlgorithm algorithm)
    {
        var key = TsigKey.Generate(DnsName.Parse("xfr.2.0.192.in-addr.arpa."), algorithm);
        Assert.Equal(TsigAlgorithms.MacSize(algorithm), key.Secret.Length);
        var text = key.ToBindText();
        Assert.StartsWith("key \"xfr.2.0.192.in-addr.arpa\" {\n", text);
        var back = Assert.Single(TsigKeyFile.Parse(text));
        Assert.Equal(key.Name, back.Name);
        Assert.Equal(key.Algorithm, back.Algorithm);
        Assert.Equal(key.Secret.ToArray(), back.Secret.ToArray());
    }

    [Fact]
    public void Generated_secrets_differ()
    {
        var name = DnsName.Parse("k.");
        Assert.NotEqual(TsigKey.Generate(name, TsigAlgorithm.HmacSha256).Secret.ToArray(), TsigKey.Generate(name, TsigAlgorithm.HmacSha256).Secret.ToArray());
    }

    [Fact]
    public void A_name_with_quotes_and_escapes_survives_the_round_trip()
    {
        var name = DnsName.Parse("we\\\"ird\\.label.example.");
        var key = new TsigKey(name, TsigAlgorithm.HmacSha256, [1, 2, 3]);
        Assert.Equal(name.Wire.ToArray(), Assert.Single(TsigKeyFile.Parse(key.ToBindText())).Name.Wire.ToArray());
    }

    [Theory]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"AAAA\"\n};\n", "keys.conf:4: expected ';' after 'secret AAAA', found '}'")]
    [InlineData("key \"k\" {\n algorithm hmac-md5;\n secret \"AAAA\";\n};\n", "keys.conf:2: algorithm 'hmac-md5' of key \"k\" is not supported (RFC 8945 §6 says HMAC-MD5 MUST NOT be used); use one of hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha1")]
    [InlineData("key \"k\" {\n algorithm sha256;\n secret \"AAAA\";\n};\n", "keys.conf:2: algorithm 'sha256' of key \"k\" is not supported; use one of hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha1")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"not base64!\";\n};\n", "keys.conf:3: secret of key \"k\" is not valid base64")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"\";\n};\n", "keys.conf:3: secret of key \"k\" is empty")]
    [InlineData("\n\nkey \"k\" {\n algorithm hmac-sha256;\n};\n", "keys.conf:3: key \"k\" has no 'secret'")]
    [InlineData("key \"k\" {\n secret \"AAAA\";\n};\n", "keys.conf:1: key \"k\" has no 'algorithm'")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n algorithm hmac-sha1;\n secret \"AAAA\";\n};\n", "keys.conf:3: key \"k\" has a second 'algorithm' (first on line 2)")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"AAAA\";\n keyid 5;\n};\n", "keys.conf:4: unknown clause 'keyid' in key \"k\"; a key has 'algorithm' and 'secret'")]
    [InlineData("options {\n};\n", "keys.conf:1: expected 'key', found 'options'")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"AAAA\";\n}\n", "keys.conf:4: file ends where ';' after the '}' of key \"k\" was expected")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n", "keys.conf:1: file ends where '}' to close key \"k\" (opened on line 1) was expected")]
    [InlineData("/* start\n\nkey \"k\" {};\n", "keys.conf:1: '/*' comment is never closed")]
    [InlineData("key \"k {\n", "keys.conf:1: quoted string runs past the end of the line")]
    [InlineData("key \"a..b\" { algorithm hmac-sha256; secret \"AAAA\"; };", "keys.conf:1: key name \"a..b\" is not a domain name: empty label")]
    [InlineData("key { algorithm hmac-sha256; };", "keys.conf:1: expected a key name after 'key', found '{'")]
    public void Problems_are_reported_with_file_and_line(string text, string message)
    {
        Assert.Equal(message, Fails(text).Message);
    }

    [Fact]
    public void A_key_defined_twice_is_an_error_even_in_another_case()
    {
        var e = Fails("key \"k.example\" { algorithm hmac-sha256; secret \"AAAA\"; };\n\nkey \"K.Example.\" { algorithm hmac-sha256; secret \"AAAA\"; };\n");
        Assert.Equal(3, e.Line);
        Assert.Equal("key K.Example. is defined twice (first on line 1)", e.Problem);
    }

    [Fact]
    public void Reading_a_file_names_it_in_errors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rdns-keys-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "key \"k\" {\n algorithm hmac-sha256;\n secret \"AAAA\";\n};\nkey \"bad\" {\n algorithm hmac-sha256;\n};\n");
        try
        {
            var e = Assert.Throws<TsigKeyFileException>(() => TsigKeyFile.Read(path));
            Assert.Equal($"{path}:5: key \"bad\" has no 'secret'", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public class TsigKeyRingTests
{
    private static TsigKey Key(string name, TsigAlgorithm algorithm = TsigAlgorithm.HmacSha256) => new(DnsName.Parse(name), algorithm, [1, 2, 3, 4]);

    [Fact]
    public void Keys_are_found_by_name_ignoring_case()
    {
        var key = Key("Transfer.Example.");
        var ring = new TsigKeyRing(key, Key("other.example."));
        Assert.Same(key, ring.Find(DnsName.Parse("transfer.example.")));
        Assert.True(ring.TryFind(DnsName.Parse("TRANSFER.EXAMPLE.").Wire, out var found));
        Assert.Same(key, found);
        Assert.False(ring.TryFind(DnsName.Parse("transfer.example.net.").Wire, out _));
        Assert.Null(ring.Find(DnsName.Parse("example.")));
    }

    [Fact]
    public void Matching_checks_the_algorithm_the_record_names()
    {
        var ring = new TsigKeyRing(Key("k.example.", TsigAlgorithm.HmacSha512));
        var name = DnsName.Parse("K.example.").Wire;
        Assert.Equal(TsigKeyMatch.Found, ring.Match(name, DnsName.Parse("HMAC-SHA512.").Wire, out var key));
        Assert.NotNull(key);
        Assert.Equal(TsigKeyMatch.WrongAlgorithm, ring.Match(name, DnsName.Parse("hmac-sha256.").Wire, out key));
        Assert.Null(key);
        Assert.Equal(TsigKeyMatch.WrongAlgorithm, ring.Match(name, DnsName.Parse("hmac-md5.sig-alg.reg.int.").Wire, out _));
        Assert.Equal(TsigKeyMatch.UnknownName, ring.Match(DnsName.Parse("x.").Wire, DnsName.Parse("hmac-sha512.").Wire, out _));
    }

    [Fact]
    public void Two_keys_of_one_name_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TsigKeyRing(Key("k.example."), Key("K.EXAMPLE.", TsigAlgorithm.HmacSha1)));
    }
}
