using Telemetry.Storage.IO;

namespace Telemetry.Storage.Tests;

/// <summary>
/// An in-memory file system for the spool's seam that knows what is durable: file contents become durable at
/// <see cref="ISpoolFile.Flush"/>, directory entries (create, rename, delete) at <see cref="FlushDirectory"/>.
/// Faults: a power loss at the N-th mutating operation (unflushed bytes dropped, except a random sector-aligned
/// prefix of them: the torn last write), fsync errors (the flush fails, durable state unchanged), and a capacity
/// (disk full: the write stores what fits, then fails with ENOSPC).
/// </summary>
public sealed class SimulatedFileSystem : ISpoolFileSystem
{
    public const int SectorSize = 512;
    private readonly Lock _lock = new();
    private readonly Random _random;
    private Dictionary<string, Node> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, Node> _durableEntries = new(StringComparer.Ordinal);
    private bool _crashed;

    public SimulatedFileSystem(int seed = 0)
    {
        _random = new Random(seed);
    }

    /// <summary>Power is lost during this mutating operation (1-based); 0 = never.</summary>
    public long CrashAtOperation { get; set; }

    public long Operations { get; private set; }

    public bool Crashed
    {
        get
        {
            lock (_lock)
            {
                return _crashed;
            }
        }
    }

    /// <summary>Number of coming flushes (fsync) that fail with EIO.</summary>
    public int FailFlushes { get; set; }

    /// <summary>Total bytes the files may hold; null = unlimited.</summary>
    public long? CapacityBytes { get; set; }

    public long UsedBytes
    {
        get
        {
            lock (_lock)
            {
                long used = 0;
                foreach (var node in _entries.Values.Distinct())
                {
                    used += node.Length;
                }

                return used;
            }
        }
    }

    /// <summary>What survives the power loss: the durable directory with the durable contents, as a fresh file system.</summary>
    public SimulatedFileSystem AfterPowerLoss(int seed = 0)
    {
        lock (_lock)
        {
            var image = new SimulatedFileSystem(seed);
            var copies = new Dictionary<Node, Node>();
            foreach (var (name, node) in _durableEntries)
            {
                if (!copies.TryGetValue(node, out var copy))
                {
                    copy = Node.FromDurable(node);
                    copies.Add(node, copy);
                }

                image._entries[name] = copy;
                image._durableEntries[name] = copy;
            }

            return image;
        }
    }

    /// <summary>The current contents of a file.</summary>
    public byte[] ReadAll(string path)
    {
        lock (_lock)
        {
            return _entries[path].Current.AsSpan(0, _entries[path].Length).ToArray();
        }
    }

    public void CreateDirectory(string path)
    {
    }

    public IReadOnlyList<string> ListFiles(string directory, string suffix)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            var prefix = directory.TrimEnd('/') + "/";
            return [.. _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.EndsWith(suffix, StringComparison.Ordinal) && !k[prefix.Length..].Contains('/'))];
        }
    }

    public bool FileExists(string path)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            return _entries.ContainsKey(path);
        }
    }

    public ISpoolFile OpenAppend(string path)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            if (!_entries.TryGetValue(path, out var node))
            {
                Mutate();
                node = new Node();
                _entries[path] = node;
            }

            return new SimulatedFile(this, node, writable: true);
        }
    }

    public ISpoolFile OpenRead(string path)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            if (!_entries.TryGetValue(path, out var node))
            {
                throw new FileNotFoundException($"Simulated file '{path}' does not exist.", path);
            }

            return new SimulatedFile(this, node, writable: false);
        }
    }

    public void Rename(string source, string destination)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            Mutate();
            if (!_entries.Remove(source, out var node))
            {
                throw new FileNotFoundException($"Simulated file '{source}' does not exist.", source);
            }

            _entries[destination] = node;
        }
    }

    public void Delete(string path)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            Mutate();
            _entries.Remove(path);
        }
    }

    public void FlushDirectory(string directory)
    {
        lock (_lock)
        {
            ThrowIfCrashed();
            Mutate();
            _durableEntries = new Dictionary<string, Node>(_entries, StringComparer.Ordinal);
        }
    }

    private void ThrowIfCrashed()
    {
        if (_crashed)
        {
            throw new IOException("Simulated power loss: the machine is off.");
        }
    }

    /// <summary>Counts a mutating operation; at the chosen one, the power goes (tearing unflushed writes) and it throws.</summary>
    private void Mutate(Node? writing = null)
    {
        Operations++;
        if (CrashAtOperation <= 0 || Operations < CrashAtOperation)
        {
            return;
        }

        _crashed = true;
        // the kernel may have written back some dirty sectors of the file being written: keep a random
        // sector-aligned prefix of its unflushed bytes (possibly none); everything else unflushed is lost
        if (writing is not null)
        {
            writing.TearInto(_random);
        }

        throw new IOException("Simulated power loss.");
    }

    private sealed class Node
    {
        public byte[] Current = new byte[4096];
        public int Length;
        public byte[] Durable = [];
        public int DurableLength;

        public static Node FromDurable(Node source)
        {
            var node = new Node { Current = source.Durable.AsSpan(0, source.DurableLength).ToArray(), Length = source.DurableLength };
            if (node.Current.Length == 0)
            {
                node.Current = new byte[4096];
            }

            node.Durable = node.Current.AsSpan(0, node.Length).ToArray();
            node.DurableLength = node.Length;
            return node;
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Length + data.Length > Current.Length)
            {
                Array.Resize(ref Current, Math.Max(Length + data.Length, Current.Length * 2));
            }

            data.CopyTo(Current.AsSpan(Length));
            Length += data.Length;
        }

        public void MakeDurable()
        {
            if (Durable.Length < Length)
            {
                Array.Resize(ref Durable, Math.Max(Length, Durable.Length * 2));
            }

            Current.AsSpan(0, Length).CopyTo(Durable);
            DurableLength = Length;
        }

        public void TearInto(Random random)
        {
            // durable prefix stays; of the bytes after it, a sector-aligned prefix (by file offset) may have made it
            var common = Math.Min(DurableLength, Length);
            if (Length <= common)
            {
                return;
            }

            var firstSector = common / SectorSize;
            var lastSector = (Length + SectorSize - 1) / SectorSize;
            var keepTo = Math.Min(Length, random.Next(firstSector, lastSector + 1) * SectorSize);
            if (keepTo <= DurableLength)
            {
                return;
            }

            if (Durable.Length < keepTo)
            {
                Array.Resize(ref Durable, keepTo);
            }

            Current.AsSpan(common, keepTo - common).CopyTo(Durable.AsSpan(common));
            DurableLength = keepTo;
        }
    }

    private sealed class SimulatedFile(SimulatedFileSystem fs, Node node, bool writable) : ISpoolFile
    {
        public long Length
        {
            get
            {
                lock (fs._lock)
                {
                    return node.Length;
                }
            }
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (!writable)
            {
                throw new IOException("Simulated file was opened read-only.");
            }

            lock (fs._lock)
            {
                fs.ThrowIfCrashed();
                if (fs.CapacityBytes is { } capacity)
                {
                    var free = capacity - fs.UsedBytes;
                    if (data.Length > free)
                    {
                        fs.Mutate(node);
                        node.Append(data[..(int)Math.Max(0, free)]);
                        throw new IOException("No space left on device (simulated)", 28);
                    }
                }

                node.Append(data);
                fs.Mutate(node);
            }
        }

        public void Flush()
        {
            lock (fs._lock)
            {
                fs.ThrowIfCrashed();
                fs.Mutate(node);
                if (fs.FailFlushes > 0)
                {
                    fs.FailFlushes--;
                    throw new IOException("Input/output error (simulated fsync failure)", 5);
                }

                node.MakeDurable();
            }
        }

        public void Truncate(long length)
        {
            lock (fs._lock)
            {
                fs.ThrowIfCrashed();
                fs.Mutate(node);
                if (length < node.Length)
                {
                    node.Length = (int)length;
                }
                else
                {
                    node.Append(new byte[length - node.Length]);
                }
            }
        }

        public int Read(long position, Span<byte> destination)
        {
            lock (fs._lock)
            {
                fs.ThrowIfCrashed();
                if (position >= node.Length)
                {
                    return 0;
                }

                var count = (int)Math.Min(destination.Length, node.Length - position);
                node.Current.AsSpan((int)position, count).CopyTo(destination);
                return count;
            }
        }

        public void Dispose()
        {
        }
    }
}
