using System.Reflection;
using NetArchTest.Rules;

namespace Rdns.Architecture.Tests;

/// <summary>
/// The project graph is one-way: Addressing ← Protocol ← Zones ← Server, Protocol ← Storage ←
/// Control ← Api ← Rdns, and Protocol ← Transfer (the client of zone transfers) ← Control. These
/// rules fail the build on a wrong edge — a type that uses a layer above its own, or a library
/// layer that pulls in the web framework.
/// </summary>
public class DependencyTests
{
    private static readonly Assembly Addressing = typeof(Addressing.IpAddress).Assembly;
    private static readonly Assembly Protocol = typeof(Protocol.Names.DnsName).Assembly;
    private static readonly Assembly Zones = typeof(Zones.ZoneSnapshot).Assembly;
    private static readonly Assembly Server = typeof(Server.Pipeline.DnsPipeline).Assembly;
    private static readonly Assembly Storage = typeof(Storage.IRdnsStore).Assembly;
    private static readonly Assembly Resolver = typeof(Resolver.StubResolver).Assembly;
    private static readonly Assembly Transfer = typeof(Transfer.TransferClient).Assembly;
    private static readonly Assembly Control = typeof(Control.Zones.ZoneWriter).Assembly;
    private static readonly Assembly Api = typeof(Api.RdnsApi).Assembly;

    private static void AssertNoDependency(Assembly assembly, params string[] forbidden)
    {
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful,
            $"{assembly.GetName().Name} must not use {string.Join(", ", forbidden)}; offending types: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    public static TheoryData<string, string[]> Rules => new()
    {
        { "Addressing", ["Rdns.Protocol", "Rdns.Zones", "Rdns.Server", "Rdns.Storage", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer"] },
        { "Protocol", ["Rdns.Zones", "Rdns.Server", "Rdns.Storage", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer"] },
        { "Zones", ["Rdns.Server", "Rdns.Storage", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer"] },
        { "Server", ["Rdns.Storage", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer", "Microsoft.AspNetCore"] },
        { "Storage", ["Rdns.Zones", "Rdns.Server", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer"] },
        { "Resolver", ["Rdns.Zones", "Rdns.Server", "Rdns.Storage", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Rdns.Transfer"] },
        { "Transfer", ["Rdns.Zones", "Rdns.Server", "Rdns.Storage", "Rdns.Resolver", "Rdns.Control", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli"] },
        { "Control", ["Rdns.Server", "Rdns.Api", "Rdns.Hosting", "Rdns.Cli", "Microsoft.AspNetCore"] },
        { "Api", ["Rdns.Server", "Rdns.Hosting", "Rdns.Cli"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_layer_uses_only_the_layers_below_it(string layer, string[] forbidden)
    {
        var assembly = layer switch
        {
            "Addressing" => Addressing,
            "Protocol" => Protocol,
            "Zones" => Zones,
            "Server" => Server,
            "Storage" => Storage,
            "Resolver" => Resolver,
            "Control" => Control,
            "Transfer" => Transfer,
            _ => Api,
        };
        AssertNoDependency(assembly, forbidden);
    }

    [Fact]
    public void Library_layers_reference_no_web_framework()
    {
        foreach (var assembly in new[] { Addressing, Protocol, Zones, Server, Storage, Resolver, Transfer, Control })
        {
            var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_rules_can_fail()
    {
        // Guard against a rule that is vacuous: the host really does use the API and the server.
        var result = Types.InAssembly(typeof(Hosting.ServeHost).Assembly).ShouldNot().HaveDependencyOnAny("Rdns.Api", "Rdns.Server").GetResult();
        Assert.False(result.IsSuccessful);
    }
}
