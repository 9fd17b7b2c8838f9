namespace Telemetry.Dashboard;

/// <summary>Placeholder until the dashboard lands; see the live page in wwwroot.</summary>
public static class DashboardAssets
{
}
