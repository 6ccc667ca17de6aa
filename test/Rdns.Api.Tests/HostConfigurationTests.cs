using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rdns.Api.Tests;

/// <summary>The server watches no configuration file for changes: such a watch covers the working directory and all below it.</summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task No_configuration_file_is_reloaded_on_change()
    {
        await using var api = await ApiHost.StartAsync();
        var configuration = (IConfigurationBuilder)api.Services.GetRequiredService<IConfiguration>();

        var files = configuration.Sources.OfType<Microsoft.Extensions.Configuration.FileConfigurationSource>().ToList();

        Assert.NotEmpty(files); // appsettings.json is still read, once
        Assert.All(files, f => Assert.False(f.ReloadOnChange, $"{f.Path} is watched"));
    }
}
