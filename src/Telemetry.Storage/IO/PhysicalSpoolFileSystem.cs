using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Telemetry.Storage.IO;

/// <summary>The real disk: <see cref="RandomAccess"/> on <see cref="SafeFileHandle"/>s, fdatasync on Linux.</summary>
public sealed partial class PhysicalSpoolFileSystem : ISpoolFileSystem
{
    public static PhysicalSpoolFileSystem Instance { get; } = new();

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) =>
        Directory.GetFiles(directory, "*" + suffix, SearchOption.TopDirectoryOnly);

    public bool FileExists(string path) => File.Exists(path);

    public ISpoolFile OpenAppend(string path) => new PhysicalSpoolFile(
        File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));

    public ISpoolFile OpenRead(string path) => new PhysicalSpoolFile(
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // NTFS journals directory entries; there is no directory handle to flush
        }

        var fd = NativeMethods.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.FSync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private sealed class PhysicalSpoolFile(SafeFileHandle handle) : ISpoolFile
    {
        private long _length = RandomAccess.GetLength(handle);

        public long Length => _length;

        public void Append(ReadOnlySpan<byte> data)
        {
            RandomAccess.Write(handle, data, _length);
            _length += data.Length;
        }

        public void Flush()
        {
            if (OperatingSystem.IsLinux())
            {
                if (NativeMethods.FDataSync(handle) != 0)
                {
                    throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
                }

                return;
            }

            RandomAccess.FlushToDisk(handle);
        }

        public void Truncate(long length)
        {
            RandomAccess.SetLength(handle, length);
            _length = length;
        }

        public int Read(long position, Span<byte> destination) => RandomAccess.Read(handle, destination, position);

        public void Dispose() => handle.Dispose();
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int FSync(int fd);

        [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        internal static partial int FDataSync(SafeFileHandle fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
