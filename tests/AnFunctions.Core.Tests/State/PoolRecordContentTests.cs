using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.State;

/// <summary>The audit writes a pool record only when <see cref="PoolRecordContent.Same"/> says its content changed.</summary>
public sealed class PoolRecordContentTests
{
    private static readonly PoolRecord Stored = new()
    {
        Id = TestData.Id(),
        Location = "westeurope",
        VmSizes = ["Standard_D4s_v5"],
        AcceleratedNetworking = true,
        TimeCreated = TestData.Now.AddDays(-30),
        FirstSeen = TestData.Now.AddDays(-30),
        LastSeen = TestData.Now.AddDays(-1),
        Instances = new InstanceCounts(3, 3, 3, 3, 0),
        Version = "v1",
    };

    public static TheoryData<string, PoolRecord, bool> Cases() => new()
    {
        { "identical", Stored with { }, true },
        { "seen again later (LastSeen)", Stored with { LastSeen = TestData.Now }, true },
        { "another version token", Stored with { Version = "v2" }, true },
        { "the same id parsed again, sizes in a new list", Stored with { Id = ScaleSetId.Parse(Stored.Id.Value), VmSizes = ["Standard_D4s_v5"] }, true },
        { "the same node counts in a new object", Stored with { Instances = new InstanceCounts(3, 3, 3, 3, 0) }, true },
        { "resized", Stored with { VmSizes = ["Standard_D8s_v5"] }, false },
        { "a size more", Stored with { VmSizes = ["Standard_D4s_v5", "Standard_D8s_v5"] }, false },
        { "AN lost", Stored with { AcceleratedNetworking = false }, false },
        { "closed", Stored with { Status = PoolStatus.Deleted, DeletedAt = TestData.Now }, false },
        { "nodes changed", Stored with { Instances = new InstanceCounts(3, 3, 2, 3, 0) }, false },
        { "a write pending", Stored with { PendingWrite = new PendingWrite { Id = "w1", StartedAt = TestData.Now, Attempt = 1 } }, false },
        { "location differs only in case", Stored with { Location = "WestEurope" }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Same_RecordAsDecided_TrueOnlyWhenNothingButLastSeenAndVersionDiffer(string change, PoolRecord next, bool same)
    {
        Assert.True(same == PoolRecordContent.Same(next, Stored), change);
    }

    [Fact]
    public void Same_WithoutARecord_Throws()
    {
        var record = TestData.Record(TestData.ScaleSet());

        Assert.Throws<ArgumentNullException>(() => PoolRecordContent.Same(null!, record));
        Assert.Throws<ArgumentNullException>(() => PoolRecordContent.Same(record, null!));
    }
}
