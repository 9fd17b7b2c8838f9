namespace Telemetry.Edge.Mqtt;

/// <summary>An MQTT connection problem, naming the broker and the reason (what the user should fix).</summary>
public sealed class MqttSourceException : Exception
{
    public MqttSourceException()
    {
    }

    public MqttSourceException(string message)
        : base(message)
    {
    }

    public MqttSourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public MqttSourceException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>False for problems a retry does not fix by itself (bad credentials, untrusted certificate); the source still retries with backoff.</summary>
    public bool IsTransient { get; } = true;
}
