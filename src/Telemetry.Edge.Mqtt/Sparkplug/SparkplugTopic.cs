namespace Telemetry.Edge.Mqtt.Sparkplug;

/// <summary>Sparkplug message types (spec 4.1.2): the third topic level.</summary>
internal enum SparkplugMessageType
{
    NBirth,
    NDeath,
    DBirth,
    DDeath,
    NData,
    DData,
    NCmd,
    DCmd,
    State,
}

/// <summary>
/// A parsed Sparkplug topic: `spBv1.0/{group}/{type}/{edge node}[/{device}]`, or `spBv1.0/STATE/{host}`
/// (spec 4.1.1). The parts are substrings of the topic (the mapper caches per topic, so this runs once per topic).
/// </summary>
internal readonly record struct SparkplugTopic(string Group, SparkplugMessageType Type, string EdgeNode, string? Device)
{
    public const string Namespace = "spBv1.0";

    public static bool TryParse(string topic, out SparkplugTopic parsed)
    {
        parsed = default;
        var parts = topic.Split('/');
        if (parts.Length < 3 || parts[0] != Namespace)
        {
            return false;
        }

        if (parts[1] == "STATE")
        {
            parsed = new SparkplugTopic(string.Empty, SparkplugMessageType.State, parts[2], null);
            return parts.Length == 3;
        }

        if (parts.Length is < 4 or > 5 || parts[1].Length == 0 || parts[3].Length == 0)
        {
            return false;
        }

        SparkplugMessageType? type = parts[2] switch
        {
            "NBIRTH" => SparkplugMessageType.NBirth,
            "NDEATH" => SparkplugMessageType.NDeath,
            "DBIRTH" => SparkplugMessageType.DBirth,
            "DDEATH" => SparkplugMessageType.DDeath,
            "NDATA" => SparkplugMessageType.NData,
            "DDATA" => SparkplugMessageType.DData,
            "NCMD" => SparkplugMessageType.NCmd,
            "DCMD" => SparkplugMessageType.DCmd,
            _ => null,
        };
        if (type is not { } t)
        {
            return false;
        }

        var isDevice = t is SparkplugMessageType.DBirth or SparkplugMessageType.DDeath or SparkplugMessageType.DData or SparkplugMessageType.DCmd;
        if (isDevice != (parts.Length == 5) || (isDevice && parts[4].Length == 0))
        {
            return false;
        }

        parsed = new SparkplugTopic(parts[1], t, parts[3], isDevice ? parts[4] : null);
        return true;
    }
}
