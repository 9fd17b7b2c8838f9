namespace Telemetry.Harness.Rig;

/// <summary>What feeds the edge in a scenario.</summary>
public enum HarnessLoad
{
    /// <summary>The node-opcua PLC (hardware/opcua-plc --clock-grid), one `opcua` source.</summary>
    OpcUa,

    /// <summary>Mosquitto with two in-harness device fleets (plain JSON and Sparkplug B), one `mqtt` source.</summary>
    Mqtt,
}
