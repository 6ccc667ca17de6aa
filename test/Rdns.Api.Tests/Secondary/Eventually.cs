using System.Diagnostics;
using System.Net.Sockets;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Waits for something that happens asynchronously (a transfer) and fails with context when it
/// never does. The limit is a bound on a hung test, not a timing assertion.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task True(Func<bool> condition, string what, Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < Limit)
        {
            try
            {
                if (condition())
                    return;
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException or FormatException)
            {
                last = e;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen within {Limit.TotalSeconds} s{(last is null ? "" : $" (last error: {last.Message})")}\n{context?.Invoke()}");
    }
}
