using System.Globalization;
using Microsoft.AspNetCore.Http;
using Telemetry.Ingest.Sites;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.History;

/// <summary>
/// Reads the query string of <c>GET /api/history</c> into a <see cref="HistoryQuery"/>, limited to what the caller
/// may see. Errors name the parameter (<see cref="HistoryRequestException"/>: 400, or 403 for another site).
/// </summary>
public static class HistoryRequest
{
    public const int DefaultPoints = 600;
    public const int MaxPoints = 10_000;
    public const int MaxTags = 32;
    public const int MaxNameLength = 256;

    /// <summary>
    /// machine: a key "site/area/line/machine" (exactly the form of /api/machines; area and line may be empty, the
    /// machine part may itself hold '/') or a machine name without '/' (any area and line; the caller's site, or
    /// for an operator <c>site=</c> or every site). tag: one or more names separated by ','. from/to: Unix ms or ISO 8601.
    /// </summary>
    public static HistoryQuery Parse(IQueryCollection query, IngestCaller caller)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        var machine = Required(query, "machine");
        var askedSite = Optional(query, "site");
        MachineSelector selector;
        var parts = machine.Split('/', 4);
        if (parts.Length == 4)
        {
            if (parts[0].Length == 0 || parts[3].Length == 0)
            {
                throw Bad("machine", $"'{machine}' is not a key site/area/line/machine: site and machine must not be empty.");
            }

            if (askedSite is not null && askedSite != parts[0])
            {
                throw Bad("site", $"'{askedSite}' differs from the site of machine '{machine}'.");
            }

            selector = new MachineSelector(parts[0], parts[1], parts[2], parts[3]);
        }
        else if (parts.Length == 1)
        {
            selector = new MachineSelector(askedSite, null, null, machine);
        }
        else
        {
            throw Bad("machine", $"'{machine}' has {parts.Length - 1} '/': give a machine name or a key site/area/line/machine.");
        }

        if (caller.Site is not null)
        {
            if (selector.Site is null)
            {
                selector = selector with { Site = caller.Site };
            }
            else if (!caller.MaySee(selector.Site))
            {
                throw new HistoryRequestException(StatusCodes.Status403Forbidden, "forbidden",
                    $"'{caller.Name}' may read site '{caller.Site}' only, not '{selector.Site}'.");
            }
        }

        var tags = Tags(Required(query, "tag"));
        var from = Time(query, "from");
        var to = Time(query, "to");
        if (from > to)
        {
            throw Bad("from", $"from ({from} ms) is after to ({to} ms).");
        }

        var points = DefaultPoints;
        var pointsText = Optional(query, "points");
        if (pointsText is not null
            && (!int.TryParse(pointsText, NumberStyles.None, CultureInfo.InvariantCulture, out points) || points < 2 || points > MaxPoints))
        {
            throw Bad("points", $"'{pointsText}' is not a number from 2 to {MaxPoints}.");
        }

        return new HistoryQuery(selector, tags, from, to, points);
    }

    private static string[] Tags(string text)
    {
        var tags = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (tags.Length == 0 || tags.Length > MaxTags)
        {
            throw Bad("tag", $"give 1 to {MaxTags} tag names separated by ','.");
        }

        foreach (var tag in tags)
        {
            if (tag.Length > MaxNameLength || tag.EndsWith(SampleLineEncoder.QualitySuffix, StringComparison.Ordinal))
            {
                throw Bad("tag", $"'{(tag.Length > 40 ? tag[..40] + "…" : tag)}' is not a tag name (at most {MaxNameLength} characters, not ending in '{SampleLineEncoder.QualitySuffix}').");
            }
        }

        return tags.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static long Time(IQueryCollection query, string name)
    {
        var text = Required(query, name);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        // ISO 8601 with a date (yyyy-MM-dd…): a bare "12:00" would silently mean today.
        if (text.Length >= 10 && text[4] == '-' && text[7] == '-'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at.ToUnixTimeMilliseconds();
        }

        throw Bad(name, $"'{text}' is neither Unix milliseconds nor an ISO 8601 time (2026-12-01T10:00:00Z).");
    }

    private static string Required(IQueryCollection query, string name) =>
        Optional(query, name) ?? throw Bad(name, "is missing.");

    private static string? Optional(IQueryCollection query, string name)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            throw Bad(name, "is given more than once.");
        }

        var value = values.ToString();
        if (value.Length > 4 * MaxNameLength * MaxTags)
        {
            throw Bad(name, "is too long.");
        }

        return value.Length == 0 ? null : value;
    }

    private static HistoryRequestException Bad(string parameter, string message) =>
        new(StatusCodes.Status400BadRequest, "invalid", $"query parameter '{parameter}': {message}");
}

/// <summary>A history request the API refuses before asking the store.</summary>
public sealed class HistoryRequestException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;
}
