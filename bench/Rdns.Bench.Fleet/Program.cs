using System.Diagnostics;
using System.Globalization;
using Rdns.Bench.Fleet;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
FleetOptions? options;
try
{
    options = FleetOptions.Parse(args);
}
catch (Exception e) when (e is FormatException or ArgumentException)
{
    options = null;
}
if (options is null)
{
    Console.Error.WriteLine(FleetOptions.Usage);
    return 2;
}
if (!File.Exists(options.Rdns))
{
    Console.Error.WriteLine($"no rdns binary at {options.Rdns}: run ./rdns --version once to build it, or give --rdns PATH");
    return 2;
}
return await FleetRun.RunAsync(options);
