using Telemetry.Storage.IO;

namespace Telemetry.Storage.Tests;

/// <summary>
/// The real file system, except that while <see cref="Close"/> is in effect a segment's fsync waits for
/// <see cref="Open"/>: a test can hold a commit on its way and write meanwhile.
/// </summary>
internal sealed class GatedFileSystem : ISpoolFileSystem, IDisposable
{
    private readonly PhysicalSpoolFileSystem _inner = PhysicalSpoolFileSystem.Instance;
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private readonly SemaphoreSlim _held = new(0);

    /// <summary>From now on, fsyncs wait until <see cref="Open"/>.</summary>
    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    public void Dispose()
    {
        _open.Dispose();
        _held.Dispose();
    }

    /// <summary>Completes when an fsync is waiting at the closed gate.</summary>
    public Task WhenHeldAsync(CancellationToken cancellationToken) => _held.WaitAsync(cancellationToken);

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) => _inner.ListFiles(directory, suffix);

    public bool FileExists(string path) => _inner.FileExists(path);

    public ISpoolFile OpenAppend(string path) => new GatedFile(this, _inner.OpenAppend(path));

    public ISpoolFile OpenRead(string path) => _inner.OpenRead(path);

    public void Rename(string source, string destination) => _inner.Rename(source, destination);

    public void Delete(string path) => _inner.Delete(path);

    public void FlushDirectory(string directory) => _inner.FlushDirectory(directory);

    private sealed class GatedFile(GatedFileSystem fs, ISpoolFile inner) : ISpoolFile
    {
        public long Length => inner.Length;

        public void Append(ReadOnlySpan<byte> data) => inner.Append(data);

        public void Flush()
        {
            if (!fs._open.IsSet)
            {
                fs._held.Release();
                fs._open.Wait();
            }

            inner.Flush();
        }

        public void Truncate(long length) => inner.Truncate(length);

        public int Read(long position, Span<byte> destination) => inner.Read(position, destination);

        public void Dispose() => inner.Dispose();
    }
}
