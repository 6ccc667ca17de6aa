using System.Diagnostics;

namespace Rdns.Bench.Fleet;

/// <summary>
/// PUT /v1/ptr/{ip} at the asked rate for the asked time, each to a random address of a random
/// zone (hosts .1–.249, a new name each time); one change every <c>--probe-every-ms</c> goes to a
/// probe address (.250–.254, never two in flight at once) and is followed to every edge. The
/// rate is what the primary acknowledges: with <c>--in-flight</c> changes waiting, no more start.
/// </summary>
internal sealed class ChangeDriver(Primary primary, Prober prober, FleetOptions options)
{
    private long _acked;
    private long _failed;
    private readonly List<Task> _probes = [];
    private readonly HashSet<string> _probing = [];
    private readonly List<double> _ackTimes = [];

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    public int Probed { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    /// <summary>Time from sending a PUT to its acknowledgement, ms.</summary>
    public List<double> AckTimes
    {
        get
        {
            lock (_ackTimes)
                return [.. _ackTimes];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var random = new Random(options.Seed);
        using var inFlight = new SemaphoreSlim(options.InFlight);
        var running = new List<Task>();
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        long started = 0, nextProbe = 0;
        while (clock.Elapsed < duration && !stop.IsCancellationRequested)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * options.Rate);
            while (started < due && clock.Elapsed < duration)
            {
                await inFlight.WaitAsync(stop).ConfigureAwait(false);
                int zone = random.Next(options.Zones);
                bool probe = clock.ElapsedMilliseconds >= nextProbe;
                int host = probe ? 250 + random.Next(5) : random.Next(1, 250);
                string ip = Primary.Address(zone, host);
                if (probe)
                {
                    lock (_probing)
                        probe = _probing.Add(ip);
                    if (probe)
                        nextProbe = clock.ElapsedMilliseconds + options.ProbeEveryMs;
                    else
                        ip = Primary.Address(zone, host = random.Next(1, 250));
                }
                string target = $"c{started}.z{zone}.fleet.example.";
                started++;
                running.Add(ChangeAsync(ip, target, probe, inFlight));
            }
            running.RemoveAll(t => t.IsCompleted);
            await Task.Delay(2, stop).ConfigureAwait(false);
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        Elapsed = clock.Elapsed;
    }

    /// <summary>Waits for every probed change to be answered everywhere (or missed).</summary>
    public Task ProbesDoneAsync()
    {
        lock (_probes)
            return Task.WhenAll([.. _probes]);
    }

    private async Task ChangeAsync(string ip, string target, bool probe, SemaphoreSlim inFlight)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            await primary.PutPtrAsync(ip, target).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            Interlocked.Increment(ref _failed);
            if (probe)
                lock (_probing)
                    _probing.Remove(ip);
            return;
        }
        finally
        {
            inFlight.Release();
        }
        long ack = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _acked);
        lock (_ackTimes)
            _ackTimes.Add(Stopwatch.GetElapsedTime(sent, ack).TotalMilliseconds);
        if (!probe)
            return;
        var follow = Task.Run(async () =>
        {
            try
            {
                await prober.FollowAsync(ip, target, ack).ConfigureAwait(false);
            }
            finally
            {
                lock (_probing)
                    _probing.Remove(ip);
            }
        });
        lock (_probes)
        {
            _probes.Add(follow);
            Probed++;
        }
    }
}
