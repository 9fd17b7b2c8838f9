using System.Globalization;
using System.Text;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// Batches the datacenter refused (400) are kept here with the server's message, so nothing accepted at the edge
/// disappears silently; an operator can fix and replay them. One file per batch.
/// </summary>
public sealed class Quarantine(string directory, TimeProvider timeProvider)
{
    public string Directory { get; } = directory;

    public async Task<string> StoreAsync(SpoolRange range, int httpStatus, string message, ReadOnlyMemory<byte> lineProtocol, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var stamp = timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(Directory, $"{stamp}-seq{range.First}-{range.Last}.lp");
        var header = new StringBuilder()
            .Append("# refused by the datacenter with HTTP ").Append(httpStatus.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("# spool records ").Append(range.ToString()).Append('\n');
        foreach (var line in message.Split('\n'))
        {
            header.Append("# ").Append(line.TrimEnd('\r')).Append('\n');
        }

        var tmp = path + ".tmp";
        var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(header.ToString()), cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(lineProtocol, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
