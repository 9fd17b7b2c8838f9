using System.Globalization;
using System.Text.Json;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Persists, per OPC UA source, what the next agent process needs to take the PLC's subscriptions over after a crash
/// (<see cref="UaResumeState"/>): <c>opcua-NAME.session.json</c> (subscriptions and items, written when they change)
/// and <c>opcua-NAME.acks.json</c> (per subscription the sequence number acknowledged through, written after the
/// spool made messages durable). Each write goes to a temporary file, is flushed to disk and renamed over the old one,
/// so a crash leaves the old or the new file, never half of one. A file that cannot be read (corrupt, another format
/// version, another PLC) is reported by <see cref="Load"/> as a reason and ignored: the source then subscribes anew.
/// A configuration reload stops old source instances and starts new ones, so each file names the store instance that
/// wrote it (<c>owner</c>): <see cref="Delete"/> removes only this instance's files, never those a new instance of the
/// source (or another source) wrote since, and nothing is written after it until the next <see cref="Save"/>. Every
/// source name has its own files (<see cref="FileStem"/>), also where names differ only in '.' or letter case.
/// </summary>
internal sealed class OpcUaResumeStore
{
    private const int FormatVersion = 1;
    private readonly Lock _gate = new();
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private string? _lastAcks;
    private bool _saved;

    public OpcUaResumeStore(string directory, string sourceName)
    {
        var stem = FileStem(sourceName);
        SessionPath = Path.Combine(directory, $"opcua-{stem}.session.json");
        AcksPath = Path.Combine(directory, $"opcua-{stem}.acks.json");
    }

    /// <summary>
    /// The file name part for a source: the name itself when it is only lower-case letters, digits, '-' and '_';
    /// else its file-safe lower-case text, '+' (never in a source name) and 8 hex digits of its SHA-256, so that
    /// "plc.1" and "plc_1", or "PLC" and "plc" on a case-insensitive file system, never share a file.
    /// </summary>
    internal static string FileStem(string sourceName)
    {
        if (sourceName.Length > 0 && sourceName.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            return sourceName;
        }

        var safe = string.Concat(sourceName.Select(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '_'));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sourceName)), 0, 4);
        return $"{safe}+{hash}";
    }

    public string SessionPath { get; }

    public string AcksPath { get; }

    /// <summary>The saved state with its acknowledged sequence numbers, or null and why not (null reason: no file).</summary>
    public (UaResumeState? State, string? Problem) Load(string endpointUrl)
    {
        if (!File.Exists(SessionPath))
        {
            return (null, null);
        }

        try
        {
            using var session = JsonDocument.Parse(File.ReadAllBytes(SessionPath));
            var root = session.RootElement;
            if (root.GetProperty("version").GetInt32() != FormatVersion)
            {
                return (null, $"{SessionPath} has format version {root.GetProperty("version").GetInt32()}, not {FormatVersion}");
            }

            var endpoint = root.GetProperty("endpoint").GetString() ?? string.Empty;
            if (!string.Equals(endpoint, endpointUrl, StringComparison.Ordinal))
            {
                return (null, $"{SessionPath} is for {endpoint}, not {endpointUrl}");
            }

            var acks = LoadAcks();
            var subscriptions = new List<UaSubscriptionState>();
            foreach (var s in root.GetProperty("subscriptions").EnumerateArray())
            {
                var id = s.GetProperty("id").GetUInt32();
                var items = new List<UaItemState>();
                foreach (var i in s.GetProperty("items").EnumerateArray())
                {
                    DataChangeFilter? filter = i.TryGetProperty("deadband", out var d)
                        ? new DataChangeFilter((DataChangeTrigger)i.GetProperty("trigger").GetInt32(), (DeadbandType)i.GetProperty("deadbandType").GetUInt32(), d.GetDouble())
                        : null;
                    items.Add(new UaItemState(
                        i.GetProperty("handle").GetUInt32(),
                        i.GetProperty("serverId").GetUInt32(),
                        ExpandedNodeId.Parse(i.GetProperty("node").GetString() ?? string.Empty),
                        (AttributeId)i.GetProperty("attribute").GetUInt32(),
                        i.GetProperty("samplingMs").GetDouble(),
                        i.GetProperty("queueSize").GetUInt32(),
                        i.GetProperty("discardOldest").GetBoolean(),
                        filter));
                }

                subscriptions.Add(new UaSubscriptionState(
                    id,
                    s.GetProperty("publishingMs").GetDouble(),
                    s.GetProperty("maxKeepAlive").GetUInt32(),
                    s.GetProperty("lifetime").GetUInt32(),
                    acks.TryGetValue(id, out var through) ? through : 0,
                    items));
            }

            return (new UaResumeState(endpoint, root.GetProperty("session").GetString() ?? string.Empty, subscriptions), null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, $"{SessionPath} cannot be read ({ex.Message})");
        }
    }

    /// <summary>Writes the subscriptions and items (after subscribing, after a new session, after a node change).</summary>
    public void Save(UaResumeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", FormatVersion);
            w.WriteString("owner", _owner);
            w.WriteString("endpoint", state.EndpointUrl);
            w.WriteString("session", state.SessionId);
            w.WriteStartArray("subscriptions");
            foreach (var s in state.Subscriptions)
            {
                w.WriteStartObject();
                w.WriteNumber("id", s.SubscriptionId);
                w.WriteNumber("publishingMs", s.PublishingIntervalMs);
                w.WriteNumber("maxKeepAlive", s.MaxKeepAliveCount);
                w.WriteNumber("lifetime", s.LifetimeCount);
                w.WriteStartArray("items");
                foreach (var i in s.Items)
                {
                    w.WriteStartObject();
                    w.WriteNumber("handle", i.ClientHandle);
                    w.WriteNumber("serverId", i.ServerId);
                    w.WriteString("node", i.NodeId.ToString());
                    w.WriteNumber("attribute", (uint)i.Attribute);
                    w.WriteNumber("samplingMs", i.SamplingIntervalMs);
                    w.WriteNumber("queueSize", i.QueueSize);
                    w.WriteBoolean("discardOldest", i.DiscardOldest);
                    if (i.Filter is { } f)
                    {
                        w.WriteNumber("trigger", (int)f.Trigger);
                        w.WriteNumber("deadbandType", (uint)f.DeadbandType);
                        w.WriteNumber("deadband", f.DeadbandValue);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        lock (_gate)
        {
            WriteAtomically(SessionPath, buffer.ToArray());
            _saved = true;
            _lastAcks = null; // a new session file: its acknowledgements are written with it
        }

        SaveAcknowledged(state.Subscriptions.ToDictionary(s => s.SubscriptionId, s => s.AcknowledgedThrough));
    }

    /// <summary>
    /// Writes the acknowledged sequence numbers when they changed since the last write; thread-safe. Nothing before
    /// this instance saved its session file, nor after <see cref="Delete"/> (a late acknowledgement of a stopping source).
    /// </summary>
    public bool SaveAcknowledged(IReadOnlyDictionary<uint, uint> acknowledged)
    {
        ArgumentNullException.ThrowIfNull(acknowledged);
        var text = string.Join(',', acknowledged.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"\"{p.Key}\":{p.Value}")));
        lock (_gate)
        {
            if (!_saved || string.Equals(text, _lastAcks, StringComparison.Ordinal))
            {
                return false;
            }

            WriteAtomically(AcksPath, System.Text.Encoding.UTF8.GetBytes($"{{\"version\":{FormatVersion},\"owner\":\"{_owner}\",\"acks\":{{{text}}}}}"));
            _lastAcks = text;
            return true;
        }
    }

    /// <summary>
    /// After a clean stop (the session was closed and its subscriptions deleted): nothing to resume. Deletes only the
    /// files this instance wrote; a file another instance wrote since (the source's new instance after a reload) stays.
    /// </summary>
    public void Delete()
    {
        lock (_gate)
        {
            DeleteIfOwn(SessionPath);
            DeleteIfOwn(AcksPath);
            _saved = false;
            _lastAcks = null;
        }
    }

    private void DeleteIfOwn(string path)
    {
        string? owner;
        try
        {
            using var file = JsonDocument.Parse(File.ReadAllBytes(path));
            owner = file.RootElement.TryGetProperty("owner", out var o) ? o.GetString() : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            owner = null; // unreadable: nobody can resume from it
        }

        if (owner is null || string.Equals(owner, _owner, StringComparison.Ordinal))
        {
            File.Delete(path);
        }
    }

    private Dictionary<uint, uint> LoadAcks()
    {
        var result = new Dictionary<uint, uint>();
        if (!File.Exists(AcksPath))
        {
            return result;
        }

        using var acks = JsonDocument.Parse(File.ReadAllBytes(AcksPath));
        foreach (var p in acks.RootElement.GetProperty("acks").EnumerateObject())
        {
            result[uint.Parse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture)] = p.Value.GetUInt32();
        }

        return result;
    }

    /// <summary>tmp + flush to disk + rename over the old file (DESIGN.md §5 checkpoints).</summary>
    private static void WriteAtomically(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
