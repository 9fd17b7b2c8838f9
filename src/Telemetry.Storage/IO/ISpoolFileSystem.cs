namespace Telemetry.Storage.IO;

/// <summary>
/// The spool's only way to touch the disk (DESIGN.md §5): small enough that tests can put a fault-injecting
/// implementation behind it (power loss that drops unflushed bytes and tears the last write, fsync errors, disk
/// full). Every path is a full path. Implementations throw <see cref="IOException"/> on failure.
/// </summary>
public interface ISpoolFileSystem
{
    void CreateDirectory(string path);

    /// <summary>Full paths of the files directly in <paramref name="directory"/> whose names end in <paramref name="suffix"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory, string suffix);

    bool FileExists(string path);

    /// <summary>Opens (creating it if missing) a file for appending at its end and positional reads.</summary>
    ISpoolFile OpenAppend(string path);

    /// <summary>Opens an existing file for positional reads only.</summary>
    ISpoolFile OpenRead(string path);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/>.</summary>
    void Rename(string source, string destination);

    void Delete(string path);

    /// <summary>Makes creations, renames and deletions in <paramref name="directory"/> durable (fsync of the directory).</summary>
    void FlushDirectory(string directory);
}

/// <summary>One open file of the spool. Not thread-safe for appends; positional reads may run concurrently.</summary>
public interface ISpoolFile : IDisposable
{
    /// <summary>Current length, including bytes not yet flushed.</summary>
    long Length { get; }

    /// <summary>Writes at the end of the file (page cache only until <see cref="Flush"/>).</summary>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Makes every appended byte durable (fsync/fdatasync). A failure must never be retried on the same handle.</summary>
    void Flush();

    void Truncate(long length);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="position"/>; 0 at the end.</summary>
    int Read(long position, Span<byte> destination);
}
