using Telemetry.Core;

namespace Telemetry.Simulator;

/// <summary>The demo plant: a CNC mill, a hydraulic press and a curing oven of one small factory.</summary>
public static class DemoPlant
{
    public const string Site = "demo-factory";

    public static IReadOnlyList<SimulatedMachineSpec> Machines { get; } =
    [
        new("cnc-mill", new AssetPath(Site, "machining", "line-1", "cnc-01", "state")),
        new("hydraulic-press", new AssetPath(Site, "forming", "line-2", "press-01", "state")),
        new("curing-oven", new AssetPath(Site, "finishing", "paint-line", "oven-01", "state")),
    ];

    public static PlantSimulatorOptions Options(TimeProvider? timeProvider = null, double speed = 1) => new()
    {
        Machines = Machines,
        Interval = TimeSpan.FromSeconds(1),
        Speed = speed,
        TimeProvider = timeProvider ?? TimeProvider.System,
        Name = "demo-plant",
    };
}
