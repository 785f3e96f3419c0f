using System.ComponentModel.DataAnnotations;

namespace AnFunctions.Core.Audit;

/// <summary>Settings of section <c>Audit</c>: the fleet audit's schedule, pace and grace periods.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// NCRONTAB schedule of the <c>FleetAudit</c> timer (six fields, seconds first). The timer reads it as
    /// <c>%Audit:Schedule%</c>, so the app setting <c>Audit__Schedule</c> must exist (infra/ and the sample set it).
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Audit:Schedule must be a six-field NCRONTAB expression")]
    [RegularExpression(@"^\S+( \S+){5}$", ErrorMessage = "Audit:Schedule must be a six-field NCRONTAB expression (seconds first), e.g. 0 */30 * * * *")]
    public string Schedule { get; set; } = "0 */30 * * * *";

    /// <summary>How many subscriptions are audited at once.</summary>
    [Range(1, 32, ErrorMessage = "Audit:SubscriptionConcurrency must lie between 1 and 32")]
    public int SubscriptionConcurrency { get; set; } = 4;

    /// <summary>After the app enabled AN, how long instances may stay on the old model before it is a warning.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00", ErrorMessage = "Audit:InstanceGracePeriod must lie between 00:10:00 and 30.00:00:00")]
    public TimeSpan InstanceGracePeriod { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// Where the audit lists the fleet: <see cref="AuditSource.Arm"/> (one listing per subscription) or
    /// <see cref="AuditSource.ResourceGraph"/> (one query for all subscriptions in scope, pages of 1,000 rows).
    /// </summary>
    [EnumDataType(typeof(AuditSource), ErrorMessage = "Audit:Source must be Arm or ResourceGraph")]
    public AuditSource Source { get; set; } = AuditSource.Arm;

    /// <summary>How many audit runs are listed in reports (older runs stay stored).</summary>
    [Range(1, 1000, ErrorMessage = "Audit:RunsKept must lie between 1 and 1000")]
    public int RunsKept { get; set; } = 100;
}

/// <summary>Where the fleet audit reads the scale sets it judges.</summary>
public enum AuditSource
{
    /// <summary>ARM's listing of each subscription: current, one call (per page) per subscription.</summary>
    Arm,

    /// <summary>
    /// Azure Resource Graph: one query for every subscription in scope, but its rows can lag ARM. The audit judges a
    /// row as it is only when it agrees with the pool's record (or the app has none), leads to no write and raises
    /// nothing above info; anything else is read again from ARM first.
    /// </summary>
    ResourceGraph,
}
