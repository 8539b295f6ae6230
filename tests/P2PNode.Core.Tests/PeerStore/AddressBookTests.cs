using System.Net;
using P2PNode.Identity;
using P2PNode.Overlay;

namespace P2PNode.Core.Tests.PeerStore;

// Address discovery (src/P2PNode.Core/Overlay/AddressBook.cs); kept next to the peer store tests, its sibling in `p2pnode run`.
public sealed class AddressBookTests
{
    private static readonly PeerId[] Peers = Enumerable.Range(0, 8).Select(_ => { using var id = NodeIdentity.Generate(); return id.PeerId; }).ToArray();

    [Fact]
    public void One_observer_is_not_enough()
    {
        var book = new AddressBook();
        Assert.True(book.Observe(Peers[0], "203.0.113.7:40000", 1));
        Assert.Null(book.ExternalIp);
        Assert.Null(book.ExternalAddressFor(7700));
    }

    [Fact]
    public void Two_distinct_observers_agreeing_set_it_and_the_port_is_ignored()
    {
        var book = new AddressBook();
        var changes = new List<IPAddress>();
        book.ExternalIpChanged += changes.Add;
        book.Observe(Peers[0], "203.0.113.7:40000", 1);
        book.Observe(Peers[1], "203.0.113.7:51234", 2);
        Assert.Equal(IPAddress.Parse("203.0.113.7"), book.ExternalIp);
        Assert.Equal("203.0.113.7:7700", book.ExternalAddressFor(7700));
        Assert.Equal((2, 2), book.Support);
        Assert.Single(changes);
    }

    [Fact]
    public void The_same_observer_repeating_itself_is_one_vote()
    {
        var book = new AddressBook();
        for (var i = 0; i < 5; i++) book.Observe(Peers[0], "203.0.113.7:1", i);
        Assert.Null(book.ExternalIp);
    }

    [Fact]
    public void A_minority_cannot_win_and_a_majority_is_needed()
    {
        var book = new AddressBook();
        book.Observe(Peers[0], "203.0.113.7:1", 1);
        book.Observe(Peers[1], "198.51.100.1:1", 2);
        book.Observe(Peers[2], "198.51.100.2:1", 3);
        book.Observe(Peers[3], "203.0.113.7:1", 4); // 2 of 4: not a strict majority
        Assert.Null(book.ExternalIp);
        book.Observe(Peers[4], "203.0.113.7:1", 5); // 3 of 5
        Assert.Equal(IPAddress.Parse("203.0.113.7"), book.ExternalIp);
    }

    [Fact]
    public void It_is_sticky_until_another_address_wins_a_majority()
    {
        var book = new AddressBook();
        book.Observe(Peers[0], "203.0.113.7:1", 1);
        book.Observe(Peers[1], "203.0.113.7:1", 2);
        book.Observe(Peers[2], "198.51.100.9:1", 3);
        book.Observe(Peers[3], "198.51.100.9:1", 4); // a tie: the old answer stays
        Assert.Equal(IPAddress.Parse("203.0.113.7"), book.ExternalIp);
        book.Observe(Peers[0], "198.51.100.9:1", 5); // peer 0 now sees the new address: 3 of 4
        Assert.Equal(IPAddress.Parse("198.51.100.9"), book.ExternalIp);
    }

    [Fact]
    public void The_oldest_voter_is_forgotten_beyond_capacity()
    {
        var book = new AddressBook(minObservers: 2, capacity: 3);
        book.Observe(Peers[0], "198.51.100.1:1", 1);
        book.Observe(Peers[1], "203.0.113.7:1", 2);
        book.Observe(Peers[2], "203.0.113.7:1", 3);
        book.Observe(Peers[3], "203.0.113.8:1", 4); // evicts peer 0
        Assert.Equal((2, 3), book.Support);
    }

    [Fact]
    public void Ipv4_mapped_ipv6_counts_as_the_ipv4_address()
    {
        var book = new AddressBook();
        book.Observe(Peers[0], "[::ffff:203.0.113.7]:1", 1);
        book.Observe(Peers[1], "203.0.113.7:2", 2);
        Assert.Equal(IPAddress.Parse("203.0.113.7"), book.ExternalIp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("node.example.org:7700")]
    [InlineData("0.0.0.0:7700")]
    [InlineData("[::]:7700")]
    [InlineData("203.0.113.7")]
    public void Unusable_observations_are_refused_and_change_nothing(string observed)
    {
        var book = new AddressBook(minObservers: 1, capacity: 4);
        Assert.False(book.Observe(Peers[0], observed, 1));
        Assert.Equal((0, 0), book.Support);
        Assert.Null(book.ExternalIp);
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddressBook(minObservers: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddressBook(minObservers: 3, capacity: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddressBook().ExternalAddressFor(0));
    }
}
