using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rdns.Server.Pipeline;

namespace Rdns.Server;

/// <summary>
/// recvmmsg/sendmmsg on Linux: one system call receives up to <see cref="Batch"/> queries and one
/// sends their answers, which saves more CPU per query than anything else in the UDP path. The
/// buffers, iovecs and address slots live in native memory allocated once per worker, so the loop
/// allocates nothing. Only for x86-64 and arm64 Linux, whose struct layouts this mirrors.
/// The calls take the socket's descriptor number, so the socket must stay open while a loop may
/// use it: closed under a loop, the system may give its number to another socket of the process
/// (an HTTP connection), whose stream the loop's answers would be written into. So only the last
/// of a socket's loops closes it, as it exits (<see cref="UdpListener"/>), and the calls pay for
/// no reference counting.
/// </summary>
internal sealed unsafe partial class BatchedUdp : IDisposable
{
    /// <summary>
    /// Up to 64 datagrams per call: a loaded loop finds dozens waiting (under dnsperf's 100 queries
    /// in flight, 28 of 32 on average), and each call and wake-up saved is kernel work saved. The
    /// buffers are 64 × 5.5 KiB per loop.
    /// </summary>
    public const int Batch = 64;

    private const int MsgWaitForOne = 0x10000;
    private const int MsgDontWait = 0x40;
    private const int AddressSize = 128; // sizeof(struct sockaddr_storage)
    private const int EINTR = 4;
    private const int EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    private readonly int _requestSize;
    private readonly int _responseSize;
    private readonly byte* _memory;
    private readonly MMsgHdr* _receive;
    private readonly MMsgHdr* _send;
    private readonly IoVec* _receiveIov;
    private readonly IoVec* _sendIov;
    private readonly byte* _addresses;
    private readonly byte* _requests;
    private readonly byte* _responses;

    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public BatchedUdp(int requestSize, int responseSize)
    {
        _requestSize = requestSize;
        _responseSize = responseSize;
        nuint total = (nuint)(2 * Batch * sizeof(MMsgHdr) + 2 * Batch * sizeof(IoVec) + Batch * AddressSize + Batch * requestSize + Batch * responseSize);
        _memory = (byte*)NativeMemory.AlignedAlloc(total, 64);
        NativeMemory.Clear(_memory, total);
        byte* p = _memory;
        _receive = (MMsgHdr*)p;
        p += Batch * sizeof(MMsgHdr);
        _send = (MMsgHdr*)p;
        p += Batch * sizeof(MMsgHdr);
        _receiveIov = (IoVec*)p;
        p += Batch * sizeof(IoVec);
        _sendIov = (IoVec*)p;
        p += Batch * sizeof(IoVec);
        _addresses = p;
        p += Batch * AddressSize;
        _requests = p;
        p += Batch * requestSize;
        _responses = p;
        for (int i = 0; i < Batch; i++)
        {
            _receiveIov[i].Base = _requests + i * requestSize;
            _receiveIov[i].Length = (nuint)requestSize;
            _receive[i].Header.Iov = &_receiveIov[i];
            _receive[i].Header.IovLength = 1;
            _receive[i].Header.Name = _addresses + i * AddressSize;
        }
    }

    /// <summary>
    /// Waits for at least one datagram and takes up to <see cref="Batch"/>; returns how many, 0 on
    /// a timeout or interruption (the caller checks whether to stop), -1 when the socket is gone.
    /// With <paramref name="wait"/> false it takes what is queued and returns 0 at once when nothing is.
    /// </summary>
    public int Receive(Socket socket, bool wait = true)
    {
        for (int i = 0; i < Batch; i++)
        {
            _receive[i].Header.NameLength = AddressSize;
            _receive[i].Header.Flags = 0;
            _receive[i].Length = 0;
        }
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int n = recvmmsg(fd, _receive, Batch, wait ? MsgWaitForOne : MsgDontWait, null);
        if (n >= 0)
            return n;
        int errno = Marshal.GetLastPInvokeError();
        return errno is EINTR or EAGAIN ? 0 : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Request(int i) => new(_requests + i * _requestSize, (int)Math.Min(_receive[i].Length, (uint)_requestSize));

    /// <summary>True when the datagram was longer than the buffer (MSG_TRUNC) and so cannot be read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Truncated(int i) => (_receive[i].Header.Flags & 0x20) != 0;

    public Span<byte> Response(int i) => new(_responses + i * _responseSize, _responseSize);

    /// <summary>The sender of datagram <paramref name="i"/>, read where the system wrote its address (a socket of <paramref name="family"/>).</summary>
    public ClientAddress Client(int i, AddressFamily family) =>
        ClientAddress.From(new ReadOnlySpan<byte>(_addresses + i * AddressSize, (int)Math.Min(_receive[i].Header.NameLength, (uint)AddressSize)), family);

    /// <summary>Copies the sender's address of datagram <paramref name="i"/> into a reusable <see cref="SocketAddress"/>.</summary>
    public void CopyAddress(int i, SocketAddress target)
    {
        int length = (int)Math.Min(_receive[i].Header.NameLength, (uint)target.Buffer.Length);
        new ReadOnlySpan<byte>(_addresses + i * AddressSize, length).CopyTo(target.Buffer.Span);
        target.Size = length;
    }

    /// <summary>Sends the answers whose lengths are not 0, each to the address its query came from.</summary>
    public void Send(Socket socket, ReadOnlySpan<int> lengths)
    {
        int count = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] <= 0)
                continue;
            _sendIov[count].Base = _responses + i * _responseSize;
            _sendIov[count].Length = (nuint)lengths[i];
            _send[count].Header.Iov = &_sendIov[count];
            _send[count].Header.IovLength = 1;
            _send[count].Header.Name = _addresses + i * AddressSize;
            _send[count].Header.NameLength = _receive[i].Header.NameLength;
            _send[count].Header.Flags = 0;
            count++;
        }
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int sent = 0;
        while (sent < count)
        {
            int n = sendmmsg(fd, _send + sent, (uint)(count - sent), 0);
            if (n > 0)
            {
                sent += n;
                continue;
            }
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
                continue;
            // A datagram the kernel refuses (buffer full, unreachable peer) is dropped, as a lost
            // UDP answer is; the client retries. Skip it and send the rest.
            sent++;
        }
    }

    public void Dispose() => NativeMemory.AlignedFree(_memory);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int recvmmsg(int sockfd, MMsgHdr* msgvec, uint vlen, int flags, void* timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sendmmsg(int sockfd, MMsgHdr* msgvec, uint vlen, int flags);
}
