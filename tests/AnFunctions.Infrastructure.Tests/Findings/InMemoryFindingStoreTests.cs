using AnFunctions.Core.Findings;
using AnFunctions.InMemory.Findings;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class InMemoryFindingStoreTests : FindingStoreContract
{
    protected override IFindingStore Store { get; } = new InMemoryFindingStore();
}
