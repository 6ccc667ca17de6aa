using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tests.Names;

public class WireNameTests
{
    private static int Read(byte[] message, int offset, out string? name)
    {
        var buffer = new byte[255];
        int len = WireName.Read(message, offset, buffer, out int next);
        name = len < 0 ? null : DnsName.FromWire(buffer.AsSpan(0, len)).ToString();
        return len < 0 ? -1 : next;
    }

    [Fact]
    public void Follows_a_backward_pointer()
    {
        // "example." at 0, then "www" + pointer to 0 at 9.
        byte[] m = [7, .. "example"u8, 0, 3, .. "www"u8, 0xC0, 0];
        Assert.Equal(15, Read(m, 9, out var name));
        Assert.Equal("www.example.", name);
    }

    [Fact]
    public void Refuses_a_pointer_to_itself_or_forward()
    {
        byte[] self = [0xC0, 0];
        Assert.Equal(-1, Read(self, 0, out _));
        byte[] forward = [0xC0, 2, 0];
        Assert.Equal(-1, Read(forward, 0, out _));
    }

    [Fact]
    public void Refuses_a_loop_between_two_pointers()
    {
        // name at 4 points to 0, which points to 4: each jump must go further back, so this fails.
        byte[] m = [1, (byte)'a', 0xC0, 4, 1, (byte)'b', 0xC0, 0];
        Assert.Equal(-1, Read(m, 4, out _));
    }

    [Fact]
    public void Refuses_reserved_label_types_and_truncation()
    {
        Assert.Equal(-1, Read([0x40, 0], 0, out _));
        Assert.Equal(-1, Read([0x80, 0], 0, out _));
        Assert.Equal(-1, Read([5, (byte)'a', (byte)'b'], 0, out _));
        Assert.Equal(-1, Read([3, (byte)'a', (byte)'b', (byte)'c'], 0, out _));
    }

    [Fact]
    public void Refuses_names_longer_than_255_octets_built_from_pointers()
    {
        var m = new List<byte>();
        // 4 labels of 63 at 0 (256 octets with root) -> too long by itself.
        for (int i = 0; i < 4; i++)
        {
            m.Add(63);
            m.AddRange(Enumerable.Repeat((byte)'a', 63));
        }
        m.Add(0);
        Assert.Equal(-1, Read([.. m], 0, out _));
    }
}
