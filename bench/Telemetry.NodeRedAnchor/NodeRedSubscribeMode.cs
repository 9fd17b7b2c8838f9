namespace Telemetry.NodeRedAnchor;

/// <summary>How the flow asks node-red-contrib-opcua's client node ("subscribe" action) for the items.</summary>
public enum NodeRedSubscribeMode
{
    /// <summary>One message per node id (topic = node id): one monitored item each, as the node's documentation and most flows do it.</summary>
    PerItem,

    /// <summary>One "multiple" message with every node id: one monitorItems call (queue size 1), the node's bulk form.</summary>
    Group,
}
