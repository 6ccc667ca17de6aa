using System.Net;
using static Rdns.Addressing.Tests.Properties.Generators;

namespace Rdns.Addressing.Tests.Properties;

public class ReverseNameProperties
{
    [Fact]
    public void The_reverse_name_of_any_IPv4_address_reads_back_as_that_address()
        => Check(V4, a => ReverseName.TryParseAddress(ReverseName.ToName(a), out var back, out _) && back == a);

    [Fact]
    public void The_reverse_name_of_any_IPv6_address_reads_back_as_that_address()
        => Check(V6, a => ReverseName.TryParseAddress(ReverseName.ToName(a), out var back, out _) && back == a);

    [Fact]
    public void The_name_of_an_address_inside_any_RFC_2317_child_reads_back_as_that_address()
        => Check(V4InClasslessBlock, x =>
        {
            string name = ReverseName.ToClasslessName(x.Address, x.Block, x.Style);
            string zone = Assert.Single(ReverseZonePlan.For(x.Block, x.Style)).Name;
            return ReverseName.TryParseAddress(name, out var back, out _) && back == x.Address
                && name.EndsWith("." + zone, StringComparison.Ordinal)
                && ReverseName.TryParseZone(zone, out var block, out _) && block == x.Block;
        });

    [Fact]
    public void Reverse_names_are_case_insensitive_and_the_trailing_dot_is_optional()
        => Check(Any, a =>
        {
            string name = ReverseName.ToName(a).TrimEnd('.').ToUpperInvariant();
            return ReverseName.TryParseAddress(name, out var back, out _) && back == a;
        });

    [Fact]
    public void Canonical_text_parses_back_and_means_what_System_Net_reads()
        => Check(Any, a =>
        {
            string text = a.ToString();
            return IpAddress.Parse(text) == a
                && IPAddress.Parse(text).Equals(a.ToIPAddress())
                && IpAddress.FromIPAddress(a.ToIPAddress()) == a
                && text == text.ToLowerInvariant()
                && !text.Contains(":::", StringComparison.Ordinal);
        });

    [Fact]
    public void IPv6_text_compresses_exactly_the_longest_run_of_zero_groups()
        => Check(V6, a =>
        {
            // RFC 5952 §4.2: '::' replaces the longest run of two or more zero groups, and only it.
            var groups = Enumerable.Range(0, 8).Select(i => (ushort)(a.Value >> (112 - 16 * i))).ToArray();
            int longest = 0;
            for (int i = 0, run = 0; i < 8; i++)
                longest = Math.Max(longest, run = groups[i] == 0 ? run + 1 : 0);
            string text = a.ToString();
            int written = text.Split(':', StringSplitOptions.RemoveEmptyEntries).Sum(g => g.Contains('.') ? 2 : 1);
            return longest >= 2
                ? text.Split("::").Length == 2 && written == 8 - longest
                : !text.Contains("::", StringComparison.Ordinal) && written == 8;
        });
}
