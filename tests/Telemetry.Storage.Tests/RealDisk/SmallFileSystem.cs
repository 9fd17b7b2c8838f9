using System.Diagnostics;
using Telemetry.Testing;

namespace Telemetry.Storage.Tests.RealDisk;

/// <summary>
/// A real, small file system for disk-full tests: an 8 MiB tmpfs mounted on a temp folder (needs root, which the CI
/// has), unmounted on dispose. If the mount is refused the test fails with the reason rather than silently passing.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly TempDirectory _mountPoint = new("spool-tmpfs");

    public SmallFileSystem(int megabytes = 8)
    {
        Size = megabytes * 1024L * 1024;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", _mountPoint.Path);
        if (code != 0)
        {
            _mountPoint.Dispose();
            throw new InvalidOperationException(
                $"Could not mount a {megabytes} MiB tmpfs on {_mountPoint.Path} (exit {code}: {output.Trim()}); the disk-full tests need root.");
        }
    }

    public string Path => _mountPoint.Path;

    public long Size { get; }

    /// <summary>Bytes the file system still has free.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a file of <paramref name="bytes"/> zeros (flushed) to take space away from the spool.</summary>
    public string Fill(string name, long bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        var chunk = new byte[64 * 1024];
        for (long written = 0; written < bytes; written += chunk.Length)
        {
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        }

        file.Flush(flushToDisk: true);
        return path;
    }

    public void Dispose()
    {
        var (code, output) = Run("umount", Path);
        if (code != 0)
        {
            (code, output) = Run("umount", "-l", Path); // something still holds a file: detach lazily
        }

        _mountPoint.Dispose();
        if (code != 0)
        {
            throw new InvalidOperationException($"Could not unmount {Path}: {output.Trim()}");
        }
    }

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            return (-1, $"{program} did not finish in 30 s");
        }

        return (process.ExitCode, output);
    }
}
