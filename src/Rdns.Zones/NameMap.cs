using System.Numerics;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// An immutable hash map from wire names (ASCII case ignored) to values, as a compressed hash
/// array-mapped trie (CHAMP): a change copies only the nodes on the path to the changed entry —
/// at most seven small arrays — so replacing one zone among 40,000, or one name among a million,
/// costs the same as in a map of ten. Lookups take the name's octets straight from a packet and
/// allocate nothing; readers never lock, since a map never changes once built.
/// </summary>
public sealed class NameMap<T> where T : class
{
    public static readonly NameMap<T> Empty = new(Node.EmptyNode, 0);

    private const int Bits = 5;
    private const int Mask = (1 << Bits) - 1;
    /// <summary>Past 32 bits of hash only a full comparison can tell names apart.</summary>
    private const int MaxShift = 30;

    private readonly Node _root;

    /// <summary>
    /// A map of one entry (a small zone's apex alone) keeps it here instead of in a trie node:
    /// a node and its two arrays would cost more than the entry. <see cref="_root"/> is then empty.
    /// </summary>
    private readonly byte[]? _singleKey;
    private readonly T? _singleValue;

    private NameMap(Node root, int count)
    {
        if (count == 1)
        {
            foreach (var (key, value) in Walk(root))
            {
                _singleKey = key;
                _singleValue = value;
            }
            root = Node.EmptyNode;
        }
        _root = root;
        Count = count;
    }

    /// <summary>The trie of this map, made for a map of one entry (to change it).</summary>
    private Node Root => _singleKey is { } key ? new Node(1u << (int)(Hash(key) & Mask), 0, [key], [_singleValue!], [], false) : _root;

    public int Count { get; }

    /// <summary>FNV-1a over the lowered octets, then a finalizer that spreads every input bit over the hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> name)
    {
        uint h = (uint)WireName.HashIgnoreCase(name);
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }

    public bool TryGetValue(ReadOnlySpan<byte> name, out T value)
    {
        if (_singleKey is { } single)
        {
            bool found = WireName.EqualsIgnoreCase(name, single);
            value = found ? _singleValue! : null!;
            return found;
        }
        uint hash = Hash(name);
        var node = _root;
        int shift = 0;
        while (true)
        {
            if (node.Collisions)
            {
                for (int i = 0; i < node.Keys.Length; i++)
                {
                    if (WireName.EqualsIgnoreCase(name, node.Keys[i]))
                    {
                        value = node.Values[i];
                        return true;
                    }
                }
                value = null!;
                return false;
            }
            uint bit = 1u << (int)((hash >> shift) & Mask);
            if ((node.DataMap & bit) != 0)
            {
                int i = BitOperations.PopCount(node.DataMap & (bit - 1));
                if (WireName.EqualsIgnoreCase(name, node.Keys[i]))
                {
                    value = node.Values[i];
                    return true;
                }
                value = null!;
                return false;
            }
            if ((node.NodeMap & bit) == 0)
            {
                value = null!;
                return false;
            }
            node = node.Children[BitOperations.PopCount(node.NodeMap & (bit - 1))];
            shift += Bits;
        }
    }

    public T? Get(ReadOnlySpan<byte> name) => TryGetValue(name, out var v) ? v : null;

    public bool ContainsKey(ReadOnlySpan<byte> name) => TryGetValue(name, out _);

    /// <summary>The map with <paramref name="key"/> (a wire name, kept as given) set to <paramref name="value"/>.</summary>
    public NameMap<T> SetItem(byte[] key, T value)
    {
        var root = Set(Root, key, Hash(key), value, 0, out bool added);
        return new NameMap<T>(root, Count + (added ? 1 : 0));
    }

    /// <summary>The map without <paramref name="name"/>; this map itself when it has no such key.</summary>
    public NameMap<T> Remove(ReadOnlySpan<byte> name)
    {
        var root = Remove(Root, name, Hash(name), 0, out bool removed);
        return removed ? new NameMap<T>(root ?? Node.EmptyNode, Count - 1) : this;
    }

    public IEnumerable<T> Values
    {
        get
        {
            foreach (var (_, v) in Entries())
                yield return v;
        }
    }

    public IEnumerable<byte[]> Keys
    {
        get
        {
            foreach (var (k, _) in Entries())
                yield return k;
        }
    }

    /// <summary>Every entry, in no particular order.</summary>
    public IEnumerable<(byte[] Key, T Value)> Entries() => Walk(Root);

    private static IEnumerable<(byte[] Key, T Value)> Walk(Node root)
    {
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            for (int i = 0; i < node.Keys.Length; i++)
                yield return (node.Keys[i], node.Values[i]);
            foreach (var child in node.Children)
                stack.Push(child);
        }
    }

    /// <summary>
    /// Builds a map from many entries at once (start-up, full rebuilds): one sort puts the entries
    /// of every subtree next to each other, then the trie is built bottom-up with each array
    /// allocated once. A repeated key keeps its last value.
    /// </summary>
    public static NameMap<T> From(IReadOnlyList<(byte[] Key, T Value)> entries)
    {
        if (entries.Count == 0)
            return Empty;
        var hashed = new (ulong Order, uint Hash, int Index)[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            uint hash = Hash(entries[i].Key);
            hashed[i] = (TrieOrder(hash), hash, i);
        }
        // Index breaks ties, so the last of equal keys is last in its group.
        Array.Sort(hashed, (a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : a.Index.CompareTo(b.Index));
        var root = Build(entries, hashed, 0, hashed.Length, 0, out int count);
        return new NameMap<T>(root, count);
    }

    /// <summary>The hash with its five-bit chunks reversed: sorting by it orders entries as the trie's depth-first walk meets them.</summary>
    private static ulong TrieOrder(uint hash)
    {
        ulong order = 0;
        for (int shift = 0; shift <= MaxShift; shift += Bits)
            order = (order << Bits) | ((hash >> shift) & Mask);
        return order;
    }

    private static Node Build(IReadOnlyList<(byte[] Key, T Value)> entries, (ulong Order, uint Hash, int Index)[] hashed, int from, int to, int shift, out int count)
    {
        if (shift > MaxShift)
            return Collide(entries, hashed, from, to, out count);
        count = 0;
        uint dataMap = 0, nodeMap = 0;
        int dataCount = 0, nodeCount = 0;
        for (int i = from; i < to;)
        {
            int slot = (int)((hashed[i].Hash >> shift) & Mask);
            int j = i + 1;
            while (j < to && (int)((hashed[j].Hash >> shift) & Mask) == slot)
                j++;
            if (j - i == 1 || SameKey(entries, hashed, i, j))
            {
                dataMap |= 1u << slot;
                dataCount++;
            }
            else
            {
                nodeMap |= 1u << slot;
                nodeCount++;
            }
            i = j;
        }
        var keys = new byte[dataCount][];
        var values = new T[dataCount];
        var children = new Node[nodeCount];
        int d = 0, n = 0;
        for (int i = from; i < to;)
        {
            int slot = (int)((hashed[i].Hash >> shift) & Mask);
            int j = i + 1;
            while (j < to && (int)((hashed[j].Hash >> shift) & Mask) == slot)
                j++;
            if ((dataMap & (1u << slot)) != 0)
            {
                var last = entries[hashed[j - 1].Index];
                keys[d] = last.Key;
                values[d++] = last.Value;
                count++;
            }
            else
            {
                children[n++] = Build(entries, hashed, i, j, shift + Bits, out int below);
                count += below;
            }
            i = j;
        }
        return new Node(dataMap, nodeMap, keys, values, children, false);
    }

    private static bool SameKey(IReadOnlyList<(byte[] Key, T Value)> entries, (ulong Order, uint Hash, int Index)[] hashed, int from, int to)
    {
        for (int i = from + 1; i < to; i++)
        {
            if (!WireName.EqualsIgnoreCase(entries[hashed[from].Index].Key, entries[hashed[i].Index].Key))
                return false;
        }
        return true;
    }

    private static Node Collide(IReadOnlyList<(byte[] Key, T Value)> entries, (ulong Order, uint Hash, int Index)[] hashed, int from, int to, out int count)
    {
        var keys = new List<byte[]>();
        var values = new List<T>();
        for (int i = from; i < to; i++)
        {
            var (key, value) = entries[hashed[i].Index];
            int at = keys.FindIndex(k => WireName.EqualsIgnoreCase(k, key));
            if (at >= 0)
                values[at] = value;
            else
            {
                keys.Add(key);
                values.Add(value);
            }
        }
        count = keys.Count;
        return new Node(0, 0, [.. keys], [.. values], [], true);
    }

    private static Node Set(Node node, byte[] key, uint hash, T value, int shift, out bool added)
    {
        if (node.Collisions)
        {
            for (int i = 0; i < node.Keys.Length; i++)
            {
                if (WireName.EqualsIgnoreCase(key, node.Keys[i]))
                {
                    added = false;
                    return new Node(0, 0, Replace(node.Keys, i, key), Replace(node.Values, i, value), [], true);
                }
            }
            added = true;
            return new Node(0, 0, Insert(node.Keys, node.Keys.Length, key), Insert(node.Values, node.Values.Length, value), [], true);
        }
        uint bit = 1u << (int)((hash >> shift) & Mask);
        if ((node.DataMap & bit) != 0)
        {
            int i = BitOperations.PopCount(node.DataMap & (bit - 1));
            var existing = node.Keys[i];
            if (WireName.EqualsIgnoreCase(existing, key))
            {
                added = false;
                return new Node(node.DataMap, node.NodeMap, Replace(node.Keys, i, key), Replace(node.Values, i, value), node.Children, false);
            }
            // Two names in one slot: push both one level down.
            added = true;
            var child = Pair(existing, Hash(existing), node.Values[i], key, hash, value, shift + Bits);
            int c = BitOperations.PopCount(node.NodeMap & (bit - 1));
            return new Node(node.DataMap & ~bit, node.NodeMap | bit, RemoveAt(node.Keys, i), RemoveAt(node.Values, i), Insert(node.Children, c, child), false);
        }
        if ((node.NodeMap & bit) != 0)
        {
            int c = BitOperations.PopCount(node.NodeMap & (bit - 1));
            var child = Set(node.Children[c], key, hash, value, shift + Bits, out added);
            return new Node(node.DataMap, node.NodeMap, node.Keys, node.Values, Replace(node.Children, c, child), false);
        }
        added = true;
        int at = BitOperations.PopCount(node.DataMap & (bit - 1));
        return new Node(node.DataMap | bit, node.NodeMap, Insert(node.Keys, at, key), Insert(node.Values, at, value), node.Children, false);
    }

    private static Node Pair(byte[] k1, uint h1, T v1, byte[] k2, uint h2, T v2, int shift)
    {
        if (shift > MaxShift)
            return new Node(0, 0, [k1, k2], [v1, v2], [], true);
        int s1 = (int)((h1 >> shift) & Mask), s2 = (int)((h2 >> shift) & Mask);
        if (s1 == s2)
            return new Node(0, 1u << s1, [], [], [Pair(k1, h1, v1, k2, h2, v2, shift + Bits)], false);
        return s1 < s2
            ? new Node((1u << s1) | (1u << s2), 0, [k1, k2], [v1, v2], [], false)
            : new Node((1u << s1) | (1u << s2), 0, [k2, k1], [v2, v1], [], false);
    }

    /// <summary>Removes a name; returns null when the node is left empty.</summary>
    private static Node? Remove(Node node, ReadOnlySpan<byte> name, uint hash, int shift, out bool removed)
    {
        if (node.Collisions)
        {
            for (int i = 0; i < node.Keys.Length; i++)
            {
                if (WireName.EqualsIgnoreCase(name, node.Keys[i]))
                {
                    removed = true;
                    return node.Keys.Length == 1 ? null : new Node(0, 0, RemoveAt(node.Keys, i), RemoveAt(node.Values, i), [], true);
                }
            }
            removed = false;
            return node;
        }
        uint bit = 1u << (int)((hash >> shift) & Mask);
        if ((node.DataMap & bit) != 0)
        {
            int i = BitOperations.PopCount(node.DataMap & (bit - 1));
            if (!WireName.EqualsIgnoreCase(name, node.Keys[i]))
            {
                removed = false;
                return node;
            }
            removed = true;
            if (node.Keys.Length == 1 && node.Children.Length == 0)
                return null;
            return new Node(node.DataMap & ~bit, node.NodeMap, RemoveAt(node.Keys, i), RemoveAt(node.Values, i), node.Children, false);
        }
        if ((node.NodeMap & bit) == 0)
        {
            removed = false;
            return node;
        }
        int c = BitOperations.PopCount(node.NodeMap & (bit - 1));
        var child = Remove(node.Children[c], name, hash, shift + Bits, out removed);
        if (!removed)
            return node;
        if (child is null)
        {
            if (node.Keys.Length == 0 && node.Children.Length == 1)
                return null;
            return new Node(node.DataMap, node.NodeMap & ~bit, node.Keys, node.Values, RemoveAt(node.Children, c), false);
        }
        if (child.Keys.Length == 1 && child.Children.Length == 0)
        {
            // A child left with one entry folds back into this node, keeping the trie shallow.
            int at = BitOperations.PopCount(node.DataMap & (bit - 1));
            return new Node(node.DataMap | bit, node.NodeMap & ~bit, Insert(node.Keys, at, child.Keys[0]), Insert(node.Values, at, child.Values[0]), RemoveAt(node.Children, c), false);
        }
        return new Node(node.DataMap, node.NodeMap, node.Keys, node.Values, Replace(node.Children, c, child), false);
    }

    private static TItem[] Replace<TItem>(TItem[] items, int at, TItem item)
    {
        var copy = (TItem[])items.Clone();
        copy[at] = item;
        return copy;
    }

    private static TItem[] Insert<TItem>(TItem[] items, int at, TItem item)
    {
        var copy = new TItem[items.Length + 1];
        Array.Copy(items, copy, at);
        copy[at] = item;
        Array.Copy(items, at, copy, at + 1, items.Length - at);
        return copy;
    }

    private static TItem[] RemoveAt<TItem>(TItem[] items, int at)
    {
        var copy = new TItem[items.Length - 1];
        Array.Copy(items, copy, at);
        Array.Copy(items, at + 1, copy, at, items.Length - at - 1);
        return copy;
    }

    private sealed class Node(uint dataMap, uint nodeMap, byte[][] keys, T[] values, Node[] children, bool collisions)
    {
        public static readonly Node EmptyNode = new(0, 0, [], [], [], false);

        public readonly uint DataMap = dataMap;
        public readonly uint NodeMap = nodeMap;
        public readonly byte[][] Keys = keys;
        public readonly T[] Values = values;
        public readonly Node[] Children = children;
        /// <summary>Names whose whole hash is equal, told apart by comparison alone.</summary>
        public readonly bool Collisions = collisions;
    }
}
