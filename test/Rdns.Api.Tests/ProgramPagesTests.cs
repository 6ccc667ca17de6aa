using Rdns.Hosting;

namespace Rdns.Api.Tests;

/// <summary>
/// Which mappings the server lets go of after start-up: only pages of its program files that hold
/// nothing of its own (private, read-only, no copied-on-write pages), never data, shared memory or
/// anonymous memory; and letting go keeps the process running, the pages coming back when used.
/// </summary>
public sealed class ProgramPagesTests
{
    private const string Executable = "/opt/rdns/rdns";

    private const string Smaps = """
        55d0a0000000-55d0a0043000 r--p 00000000 fe:00 11821235                   /opt/rdns/rdns
        Size:                268 kB
        Rss:                 268 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        55d0a0043000-55d0a1069000 r-xp 00043000 fe:00 11821235                   /opt/rdns/rdns
        Size:              16536 kB
        Rss:               13828 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me dw sd
        55d0a1069000-55d0a106a000 r--p 01069000 fe:00 11821235                   /opt/rdns/rdns
        Size:                  4 kB
        Rss:                   4 kB
        Anonymous:             4 kB
        VmFlags: rd mr mw me dw ac sd
        55d0a106a000-55d0a2000000 rw-p 0106a000 fe:00 11821235                   /opt/rdns/rdns
        Size:                604 kB
        Rss:                 604 kB
        Anonymous:           232 kB
        VmFlags: rd wr mr mw me dw ac sd
        55d0a3000000-55d0a3100000 rw-p 00000000 00:00 0                          [heap]
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:          1024 kB
        VmFlags: rd wr mr mw me ac sd
        7f0000000000-7f0000100000 r--p 00000000 00:00 0
        Size:               1024 kB
        Rss:                 512 kB
        Anonymous:           512 kB
        VmFlags: rd mr mw me ac sd
        7f0001000000-7f0001008000 rw-s 00000000 fe:00 42                         /var/lib/rdns/rdns.db-shm
        Size:                 32 kB
        Rss:                  32 kB
        Anonymous:             0 kB
        VmFlags: rd wr sh mr mw me ms sd
        7f0002000000-7f0002400000 r--p 00000000 fe:00 43                         /var/lib/rdns/zones.image
        Size:               4096 kB
        Rss:                4096 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me sd
        7f0003000000-7f0003200000 r-xp 00010000 fe:00 44                         /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        Size:               2048 kB
        Rss:                1700 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        7f0004000000-7f0004100000 r-xp 00000000 fe:00 45                         /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/System.Private.CoreLib.dll
        Size:               1024 kB
        Rss:                 900 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        7f0005000000-7f0005100000 r-xp 00000000 00:01 46                         /memfd:doublemapper (deleted)
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        7f0006000000-7f0006100000 r-xp 00000000 fe:00 47                         /usr/lib/x86_64-linux-gnu/libpinned.so
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me lo sd
        7f0007000000-7f0007001000 r-xp 00000000 fe:00 48                         /usr/lib/x86_64-linux-gnu/libempty.so
        Size:                  4 kB
        Rss:                   0 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Size:                  8 kB
        Rss:                   8 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me de sd
        """;

    [Fact]
    public void Only_clean_read_only_mappings_of_program_files_are_let_go()
    {
        var mappings = ProgramPages.Mappings(Smaps.Split('\n')).ToList();
        Assert.Equal(14, mappings.Count);
        Assert.Equal(new ProgramPages.Mapping(0x55d0a0043000, 0x55d0a1069000, "r-xp", Executable, 13828, 0, false), mappings[1]);
        Assert.True(mappings[11].Locked);

        var chosen = mappings.Where(m => ProgramPages.IsProgramFile(m, Executable)).Select(m => (m.Path, m.Permissions)).ToList();
        Assert.Equal(
            [
                (Executable, "r--p"), // headers
                (Executable, "r-xp"), // code
                ("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "r-xp"),
            ],
            chosen);
        // Left alone: the relocated read-only page (copied on write), the writable data, the heap
        // and anonymous memory, the store's shared memory, a data file, an assembly the runtime
        // mapped (it may relocate a page of it), the JIT's double mapping, a locked library, one
        // with nothing resident, and the kernel's vDSO.
    }

    [Fact]
    public void Letting_go_keeps_the_process_running_and_the_pages_come_back_when_used()
    {
        string executable = Path.GetFullPath(File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)!.FullName);
        long Resident() => ProgramPages.Mappings(File.ReadLines("/proc/self/smaps")).Where(m => ProgramPages.IsProgramFile(m, executable)).Sum(m => m.ResidentKb);

        long before = Resident();
        long released = ProgramPages.Release();
        long after = Resident();
        Assert.True(released > 0, $"released {released} kB of {before} kB");
        Assert.True(after < before, $"resident program pages {before} kB before, {after} kB after");

        // Code that ran before runs again, from pages brought back on first touch.
        var text = string.Join(',', Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1000, text.Split(',').Distinct().Count());
        Assert.Matches("^0,1,2,", text);
    }
}
