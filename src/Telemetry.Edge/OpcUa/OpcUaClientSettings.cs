namespace Telemetry.Edge.OpcUa;

/// <summary>
/// The agent as one OPC UA client application, shared by all its `type: opcua` sources (edge.yaml `opcua:`): the PKI
/// folder with its application instance certificate and the servers it trusts, and the ApplicationUri and name that
/// certificate carries. `telemetry-edge certs` works on the same folder and shows the same certificate.
/// </summary>
public sealed record OpcUaClientSettings(string PkiPath, string ApplicationUri, string ApplicationName)
{
    /// <summary>The ApplicationUri without a configuration (e.g. `certs show-own --pki DIR`).</summary>
    public const string DefaultApplicationUri = "urn:telemetry:edge";

    public const string DefaultApplicationName = "Telemetry edge";

    /// <summary>The defaults for an agent: PKI under its data directory, an ApplicationUri naming its edge id.</summary>
    public static OpcUaClientSettings For(string edgeId, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(edgeId);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new OpcUaClientSettings(Path.Combine(dataDirectory, "pki"), DefaultApplicationUriFor(edgeId), $"{DefaultApplicationName} {edgeId}");
    }

    /// <summary>urn:telemetry:edge:&lt;edge id&gt; — unique per agent, so a PLC can tell two edges apart.</summary>
    public static string DefaultApplicationUriFor(string edgeId) => $"{DefaultApplicationUri}:{edgeId}";
}
