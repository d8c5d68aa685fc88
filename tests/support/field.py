"""The field the three-Hub scenarios start from: alpha and beta follow each other, gamma alpha."""

from hub.context import HubContext
from hub.services.actors import create_actor
from hub.services.following import follow
from tests.support.network import Network

ALPHA, BETA, GAMMA = "alpha.test", "beta.test", "gamma.test"


async def three_joined_hubs(network: Network) -> tuple[HubContext, HubContext, HubContext]:
    """Give each Hub an `org`; alpha and beta follow each other and gamma follows alpha."""
    alpha, beta, gamma = (network.hub(host) for host in (ALPHA, BETA, GAMMA))
    await create_actor(alpha, "org", display_name="Alpha Trust")
    await create_actor(beta, "org", display_name="Beta Network")
    await create_actor(gamma, "org", display_name="Gamma Group")
    await follow(alpha, "org", "@org@beta.test")
    await follow(beta, "org", "@org@alpha.test")
    await follow(gamma, "org", "@org@alpha.test")
    await network.settle()
    return alpha, beta, gamma
