using Rdns.Control.Secondary;
using Rdns.Protocol.Names;

namespace Rdns.Control.Tests.Secondary;

/// <summary>What a followed zone keeps of the NOTIFYs it got, and when they bring nothing to fetch.</summary>
public class FollowedZoneNotifyTests
{
    private static FollowedZone Zone() => new(DnsName.Parse("2.0.192.in-addr.arpa."), ZoneOrigin.Member);

    [Fact]
    public void A_late_notify_of_an_older_serial_does_not_hide_a_newer_one()
    {
        var zone = Zone();
        zone.Notify(9);
        zone.Notify(7);
        Assert.True(zone.TakeNotified(out var serial));
        Assert.Equal(9u, serial);
        Assert.False(zone.TakeNotified(out _));
    }

    [Fact]
    public void Newer_is_by_serial_arithmetic_and_a_notify_without_serial_beats_any()
    {
        var zone = Zone();
        zone.Notify(uint.MaxValue);
        zone.Notify(1);
        Assert.True(zone.TakeNotified(out var serial));
        Assert.Equal(1u, serial);

        zone.Notify(null);
        zone.Notify(50);
        Assert.True(zone.TakeNotified(out serial));
        Assert.Null(serial);
    }

    [Fact]
    public void A_notify_of_a_serial_held_already_brings_nothing_a_newer_one_does()
    {
        var zone = Zone();
        zone.Notify(5);
        Assert.True(zone.NothingNewSince(5));
        // Taken: the wake it left behind finds nothing either.
        Assert.True(zone.NothingNewSince(5));
        Assert.False(zone.TakeNotified(out _));

        zone.Notify(4);
        Assert.True(zone.NothingNewSince(5));
        zone.Notify(6);
        Assert.False(zone.NothingNewSince(5));
        Assert.True(zone.TakeNotified(out var serial));
        Assert.Equal(6u, serial);
    }

    [Fact]
    public void A_notify_brings_something_when_the_serial_is_unknown_or_the_zone_must_be_transferred_afresh()
    {
        var zone = Zone();
        zone.Notify(null);
        Assert.False(zone.NothingNewSince(5));
        zone.TakeNotified(out _);

        zone.Notify(3);
        Assert.False(zone.NothingNewSince(null));

        zone.ForceFull = true;
        Assert.False(zone.NothingNewSince(5));
    }
}
