"""The waiting-line mechanics on their own, without the address process."""

import simpy

from versterking.engine.resources import Pool, Resource


def test_grants_in_key_order_when_capacity_opens():
    env = simpy.Environment()
    res = Resource(env, "r", 0)
    order = []
    for key in [(3,), (1,), (2,)]:
        res.request(key).callbacks.append(lambda ev, k=key: order.append(k))
    res.set_capacity(2)
    env.run()
    assert order == [(1,), (2,)] and res.waiting == 1


def test_decrease_waits_for_running_work():
    env = simpy.Environment()
    res = Resource(env, "r", 3)
    for i in range(5):
        res.request((i,))
    assert res.in_use == 3 and res.waiting == 2
    res.set_capacity(1)
    res.release()
    res.release()
    assert res.in_use == 1 and res.waiting == 2  # nobody started: still at the new capacity
    res.release()
    assert res.in_use == 1 and res.waiting == 1


def test_companion_blocks_only_requests_that_need_it():
    env = simpy.Environment()
    pool = Pool(env, "wissel", 1)
    res = Resource(env, "bouw", 5, [pool])
    first = res.request((0,), companion_units=1)
    second = res.request((1,), companion_units=1)  # no wisselwoning left
    third = res.request((2,))  # needs none: may go ahead
    env.run()
    assert first.triggered and not second.triggered and third.triggered
    res.release(companion_units=1)  # the wisselwoning comes free
    env.run()
    assert second.triggered and pool.in_use == 1


def test_pool_increase_dispatches_waiting_owner_requests():
    env = simpy.Environment()
    pool = Pool(env, "wissel", 0)
    res = Resource(env, "bouw", 5, [pool])
    ev = res.request((0,), companion_units=1)
    env.run()
    assert not ev.triggered and pool.waiting == 1
    pool.set_capacity(1)
    env.run()
    assert ev.triggered and pool.waiting == 0


def test_a_block_holds_the_line_until_it_fits():
    env = simpy.Environment()
    res = Resource(env, "bouw", 4)
    first = res.request((0,))
    block = res.request((1,), units=4)  # a cluster of four
    single = res.request((2,))  # may not overtake the cluster
    env.run()
    assert first.triggered and not block.triggered and not single.triggered
    res.release()
    env.run()
    assert block.triggered and res.in_use == 4 and not single.triggered
    res.release(units=4)
    env.run()
    assert single.triggered


def test_block_needing_more_wisselwoningen_than_free_is_passed_over():
    env = simpy.Environment()
    pool = Pool(env, "wissel", 1)
    res = Resource(env, "bouw", 10, [pool])
    block = res.request((0,), units=3, companion_units=2)
    single = res.request((1,))
    env.run()
    assert not block.triggered and single.triggered and pool.waiting == 3  # addresses
    pool.set_capacity(2)
    env.run()
    assert block.triggered and pool.in_use == 2 and res.in_use == 4


def test_a_request_as_a_with_block_gives_its_slot_back_unless_withdrawn_or_cut_off():
    env = simpy.Environment()
    res = Resource(env, "r", 1)
    log = []

    def work(key, days):
        with res.request(key) as slot:
            value = yield slot
            if value is None:  # granted, not withdrawn
                yield env.timeout(days)
        log.append((key, env.now, res.in_use))

    second = work((1,), 3)
    for process in (work((0,), 5), second, work((2,), 1)):
        env.process(process)
    env.run(until=1)
    (key, withdrawn), = res.withdraw(lambda keys: [k for k in keys if k == (2,)])
    withdrawn.succeed("elsewhere")  # sent elsewhere: it held no slot, and gives none back
    env.run(until=7)  # (0,) gives its slot back on day 5 and (1,) takes it
    assert log == [((2,), 1, 1), ((0,), 5, 1)] and res.in_use == 1 and res.waiting == 0
    second.close()  # the run stops with (1,)'s work under way: nothing is given back
    assert res.in_use == 1 and len(log) == 2
