%% The BEAM's side of the side-by-side benchmarks (org.otp4j.bench.SideBySide).
%%
%% Each clause of run/2 is the Erlang version of the Java workload with the same id
%% (org.otp4j.bench.workloads.*), with the same semantics. The harness compiles this file with
%% erlc and runs one measurement per fresh VM:
%%
%%   erl -noshell +P 4194304 -pa DIR -run bench main WORKLOAD N WARMUPS WARMUP_N
%%
%% which runs WARMUPS warm-up rounds of size WARMUP_N, then one measured round of size N, and prints
%% "RESULT <amount> <ops> <cpu ns per op> <cores>": nanoseconds (or bytes) spent on <ops> operations,
%% and the CPU time the VM used in the measured region, per operation and in cores on average.
-module(bench).
-export([main/1]).
%% The callbacks of the behaviour workloads: this module is their gen_server, supervisor, gen_statem
%% and gen_event handler module at once (init/1 tells the four apart by its argument).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2,
         callback_mode/0, handle_event/4, terminate/3,
         handle_event/2, handle_call/2]).

-define(RING_SIZE, 1000).
-define(SENDERS, 1000).
-define(EXCHANGE_BUDGET_NS, 1000000000).
-define(MIN_EXCHANGES, 5).
-define(MAX_EXCHANGES, 20000).
-define(PER_SUPERVISOR, 100).
-define(MAX_DEMAND, 1000).
-define(MIN_DEMAND, 500).
-define(MAX_CONCURRENCY, 16).
-define(TABLE_KEYS, 1000000).
-define(SPREAD, 2654435761).
-define(WORKER_SHIFT, 7919).
-define(READ_BACK, 5).
%% The start options of a process that a workload floods with messages (casts, notifies) faster than
%% it handles them: its message queue kept off its heap, as the Erlang documentation advises for a
%% process that may accumulate many messages. With the default (on_heap) the queued messages are part
%% of the receiver's heap, and every garbage collection of the receiver goes through them.
-define(FLOOD_OPTS, [{spawn_opt, [{message_queue_data, off_heap}]}]).

main([Workload, NStr, WarmStr, WarmNStr]) ->
    N = list_to_integer(NStr),
    Warmups = list_to_integer(WarmStr),
    WarmN = list_to_integer(WarmNStr),
    %% Measure in a fresh process, not in the process that init uses to run -run functions.
    spawn(fun() -> measure(Workload, N, Warmups, WarmN) end).

measure(Workload, N, Warmups, WarmN) ->
    try
        lists:foreach(
          fun(I) ->
                  io:format("warm-up ~b: ~s~n", [I, figures(run(Workload, WarmN))])
          end, lists:seq(1, Warmups)),
        erlang:garbage_collect(),
        io:format("RESULT ~s~n", [figures(run(Workload, N))]),
        halt(0)
    catch
        Class:Reason:Stack ->
            io:format("~p:~p~n~p~n", [Class, Reason, Stack]),
            halt(1)
    end.

now_ns() -> erlang:monotonic_time(nanosecond).

%% The clock of a measured region: the wall-clock time and the CPU time this VM (all its threads:
%% schedulers, dirty schedulers, async threads) uses meanwhile, as the OS counts it.
start_clock() -> {now_ns(), cpu_ns()}.

%% CPU time of the VM so far, in nanoseconds (statistics(runtime) counts milliseconds).
cpu_ns() ->
    {Ms, _} = erlang:statistics(runtime),
    Ms * 1000000.

%% The region ends: its wall-clock time spent on Ops operations, with the CPU it used.
stop_clock({W0, C0}, Ops) ->
    W = now_ns() - W0,
    {W, Ops, {cpu_ns() - C0, W, Ops}}.

%% The region, CpuOps operations, ends with a result of its own (a median): that result, with the
%% CPU the region used.
stop_clock({W0, C0}, Amount, Ops, CpuOps) ->
    W = now_ns() - W0,
    {Amount, Ops, {cpu_ns() - C0, W, CpuOps}}.

%% "<amount> <ops>", followed by "<cpu ns per op> <cores>" if the CPU was measured.
figures({Amount, Ops}) ->
    io_lib:format("~p ~p", [Amount, Ops]);
figures({Amount, Ops, {Cpu, Wall, CpuOps}}) ->
    io_lib:format("~p ~p ~p ~p", [Amount, Ops, Cpu / CpuOps, Cpu / max(Wall, 1)]).

%% ---------------------------------------------------------------------------------------------
%% spawn + exit: spawn N processes with an empty body; wait until all have exited. On the BEAM the
%% cheapest exact way to know is the process count: polling it (yielding in between) costs less
%% than spawn_monitor and one 'DOWN' message per process.

run("spawn", N) ->
    Base = erlang:system_info(process_count),
    Clock = start_clock(),
    spawn_n(N),
    await_process_count(Base),
    stop_clock(Clock, N);

%% ---------------------------------------------------------------------------------------------
%% memory per idle process: N processes blocked in receive; sum of process_info(P, memory) / N.

run("memory", N) ->
    Pids = spawn_idle(N, []),
    wait_waiting(Pids),
    Bytes = lists:foldl(fun(P, Acc) ->
                                {memory, M} = erlang:process_info(P, memory),
                                Acc + M
                        end, 0, Pids),
    Base = erlang:system_info(process_count) - N,
    lists:foreach(fun(P) -> exit(P, kill) end, Pids),
    wait_process_count(Base),
    {Bytes, N};

%% ---------------------------------------------------------------------------------------------
%% ping-pong: N round trips between two processes.

run("ping-pong", N) ->
    Self = self(),
    Echo = spawn(fun() -> echo_back(Self) end),
    Clock = start_clock(),
    ping(N, Echo),
    R = stop_clock(Clock, N),
    Echo ! stop,
    R;

%% ---------------------------------------------------------------------------------------------
%% token ring: 1,000 processes, a token with a hop counter, Hops hops.

run("ring", Hops) ->
    Main = self(),
    Pids = [spawn(fun() -> ring_init(Main) end) || _ <- lists:seq(1, ?RING_SIZE)],
    Nexts = tl(Pids) ++ [hd(Pids)],
    lists:foreach(fun({P, Next}) -> P ! {next, Next} end, lists:zip(Pids, Nexts)),
    Clock = start_clock(),
    hd(Pids) ! Hops,
    receive done -> ok end,
    R = stop_clock(Clock, Hops),
    lists:foreach(fun(P) -> P ! stop end, Pids),
    R;

%% ---------------------------------------------------------------------------------------------
%% fan-in: 1,000 senders x Per messages to one receiver. The senders are spawned, and have said so,
%% before the clock starts; they start sending on a go. The receiver, flooded by 1,000 senders at
%% once, keeps its queue off its heap, as the processes of ?FLOOD_OPTS do.

run("fan-in", Per) ->
    Main = self(),
    Total = ?SENDERS * Per,
    Sink = spawn_opt(fun() -> sink(Total, Main) end, [{message_queue_data, off_heap}]),
    Senders = spawn_senders(?SENDERS, Sink, Per, Main, []),
    wait_for(ready, ?SENDERS),
    Clock = start_clock(),
    lists:foreach(fun(S) -> S ! go end, Senders),
    receive done -> ok end,
    stop_clock(Clock, Total);

%% ---------------------------------------------------------------------------------------------
%% selective receive of a reply carrying a fresh reference, with Backlog unrelated messages queued.

run("selective", Backlog) ->
    %% This process holds the backlog: its queue goes off its heap, as for the flooded processes
    %% (?FLOOD_OPTS); on its heap, every garbage collection would go through the whole backlog.
    OnHeap = process_flag(message_queue_data, off_heap),
    Echo = spawn(fun echo_server/0),
    fill(Backlog),
    Clock = start_clock(),
    Deadline = now_ns() + ?EXCHANGE_BUDGET_NS,
    Times = exchanges(Echo, Deadline, 0, []),
    R = stop_clock(Clock, median(Times), 1, length(Times)),
    Echo ! stop,
    Backlog = count_junk(0), % the backlog is still there, intact (and is now flushed)
    process_flag(message_queue_data, OnHeap),
    R;

%% ---------------------------------------------------------------------------------------------
%% fork-join: recursive fib(N) with a process per call.

run("fork-join", N) ->
    Main = self(),
    Clock = start_clock(),
    spawn(fun() -> fib(Main, N) end),
    Result = receive V -> V end,
    R = stop_clock(Clock, fib_calls(N)),
    Result = fib_seq(N, 0, 1),
    R;

%% ---------------------------------------------------------------------------------------------
%% gen_server call: C clients (1 or 100), released at once, call an echo server in a loop until N
%% calls in all are done.

run("call-1", N) ->
    gs_calls(1, N);
run("call-100", N) ->
    gs_calls(100, N);

%% ---------------------------------------------------------------------------------------------
%% gen_server cast: N casts, then one call that returns the count once all are handled. The echo
%% server keeps up with the casts (its queue stays short), so it keeps the default on_heap queue,
%% which is the faster one for it.

run("cast", N) ->
    {ok, S} = gen_server:start(bench, {echo}, []),
    Clock = start_clock(),
    cast_n(S, N),
    N = gen_server:call(S, count, 120000),
    R = stop_clock(Clock, N),
    gen_server:stop(S),
    R;

%% ---------------------------------------------------------------------------------------------
%% restart latency: a one_for_one supervisor with one worker; cast crash (the worker raises), take
%% the replacement's pid from its announcement, call it. The median over N crashes, under a fresh
%% supervisor every ?PER_SUPERVISOR crashes (supervisor:add_restart/1 scans the restarts within the
%% period on every restart). Reports off.

run("restart", N) ->
    logger:set_primary_config(level, none),
    Clock = start_clock(),
    Times = restart_batches(N, []),
    stop_clock(Clock, median(Times), 1, N);

%% ---------------------------------------------------------------------------------------------
%% restart storm: a one_for_one supervisor with N workers; kill them all at once; wait for the N
%% replacements' announcements, call each. Time per worker. Reports off.

run("storm", N) ->
    logger:set_primary_config(level, none),
    Main = self(),
    {ok, Sup} = supervisor:start_link(bench, {sup, [worker_spec(I, Main) || I <- lists:seq(1, N)]}),
    Workers = collect_started(N, #{}),
    Clock = start_clock(),
    lists:foreach(fun(P) -> exit(P, kill) end, maps:values(Workers)),
    Replacements = collect_started(N, #{}),
    lists:foreach(fun(P) -> ping = gen_server:call(P, ping) end, maps:values(Replacements)),
    R = stop_clock(Clock, N),
    gen_server:stop(Sup),
    R;

%% ---------------------------------------------------------------------------------------------
%% gen_statem: a two-state toggle (off/on, a counter); N casts then one call, or N calls. The machine
%% that takes the casts keeps its queue off its heap (?FLOOD_OPTS).

run("statem-cast", N) ->
    {ok, M} = gen_statem:start(bench, {toggle}, ?FLOOD_OPTS),
    Clock = start_clock(),
    statem_cast_n(M, N),
    N = gen_statem:call(M, count),
    R = stop_clock(Clock, N),
    gen_statem:stop(M),
    R;
run("statem-call", N) ->
    {ok, M} = gen_statem:start(bench, {toggle}, []),
    Clock = start_clock(),
    statem_call_n(M, N),
    N = gen_statem:call(M, count),
    R = stop_clock(Clock, N),
    gen_statem:stop(M),
    R;

%% ---------------------------------------------------------------------------------------------
%% gen_event: a manager with H handlers (1 or 10); N notifies, then one sync_notify. The manager
%% keeps its queue off its heap (?FLOOD_OPTS).

run("event-1", N) ->
    gen_events(1, N);
run("event-10", N) ->
    gen_events(10, N);

%% ---------------------------------------------------------------------------------------------
%% GenStage pipeline: producer -> doubler -> consumer of the integers 0 .. N-1, each subscriber with
%% at most ?MAX_DEMAND events in flight. GenStage is an Elixir library, not part of OTP: the three
%% stages are plain processes that speak its demand protocol by hand (see the stage_* functions).

run("stage", N) ->
    Main = self(),
    Clock = start_clock(),
    Producer = spawn(fun() -> stage_producer(0, N) end),
    Doubler = spawn(fun() -> stage_doubler(Producer) end),
    Consumer = spawn(fun() -> stage_consumer(Doubler, Main, N) end),
    {Count, Sum} = receive {drained, C, S} -> {C, S} end,
    R = stop_clock(Clock, N),
    {N, Sum} = {Count, N * (N - 1)}, % all N events, each doubled: 2 * (0 + ... + N-1)
    lists:foreach(fun(P) -> P ! stop end, [Consumer, Doubler, Producer]),
    R;

%% ---------------------------------------------------------------------------------------------
%% Task.async_stream: x -> x * x over the integers 0 .. N-1, at most ?MAX_CONCURRENCY tasks at
%% once, the results taken in item order. Elixir's Task is not part of OTP: its loop is written out
%% (see async_stream/2).

run("async-stream", N) ->
    Items = lists:seq(0, N - 1),
    Clock = start_clock(),
    Count = async_stream(fun(X) -> X * X end, Items),
    R = stop_clock(Clock, N),
    N = Count,
    R;

%% ---------------------------------------------------------------------------------------------
%% shared table: W processes (1, 2 or 16) doing N operations in all on an ETS table of ?TABLE_KEYS
%% integer keys, 90% reads and 10% writes.

run("table-1", N) ->
    shared_table(1, N);
run("table-2", N) ->
    shared_table(2, N);
run("table-16", N) ->
    shared_table(16, N).

%% =============================================================================================
%% behaviour workloads

gs_calls(Clients, N) ->
    Per = N div Clients,
    {ok, S} = gen_server:start(bench, {echo}, []),
    Main = self(),
    Cs = [spawn(fun() -> receive go -> ok end, call_n(S, Per), Main ! done end)
          || _ <- lists:seq(1, Clients)],
    Clock = start_clock(),
    lists:foreach(fun(C) -> C ! go end, Cs),
    wait_done(Clients),
    R = stop_clock(Clock, Per * Clients),
    gen_server:stop(S),
    R.

call_n(_, 0) -> ok;
call_n(S, K) ->
    ping = gen_server:call(S, ping),
    call_n(S, K - 1).

wait_done(0) -> ok;
wait_done(K) -> receive done -> wait_done(K - 1) end.

cast_n(_, 0) -> ok;
cast_n(S, K) ->
    gen_server:cast(S, ping),
    cast_n(S, K - 1).

worker_spec(I, Watcher) ->
    #{id => I, start => {gen_server, start_link, [bench, {worker, I, Watcher}, []]}}.

restart_batches(N, Acc) when N =< 0 -> Acc;
restart_batches(N, Acc) ->
    Main = self(),
    {ok, Sup} = supervisor:start_link(bench, {sup, [worker_spec(0, Main)]}),
    W0 = receive {started, 0, P} -> P end,
    Acc1 = restarts(min(N, ?PER_SUPERVISOR), W0, Acc),
    gen_server:stop(Sup),
    restart_batches(N - ?PER_SUPERVISOR, Acc1).

restarts(0, _, Acc) -> Acc;
restarts(K, W, Acc) ->
    T0 = now_ns(),
    gen_server:cast(W, crash),
    W2 = receive {started, 0, P} -> P end,
    ping = gen_server:call(W2, ping),
    restarts(K - 1, W2, [now_ns() - T0 | Acc]).

collect_started(0, Acc) -> Acc;
collect_started(K, Acc) ->
    receive {started, I, P} -> collect_started(K - 1, Acc#{I => P}) end.

statem_cast_n(_, 0) -> ok;
statem_cast_n(M, K) ->
    gen_statem:cast(M, toggle),
    statem_cast_n(M, K - 1).

statem_call_n(_, 0) -> ok;
statem_call_n(M, K) ->
    _ = gen_statem:call(M, toggle),
    statem_call_n(M, K - 1).

gen_events(H, N) ->
    {ok, M} = gen_event:start(?FLOOD_OPTS),
    lists:foreach(fun(I) -> ok = gen_event:add_handler(M, {bench, I}, {handler}) end, lists:seq(1, H)),
    Clock = start_clock(),
    notify_n(M, N),
    ok = gen_event:sync_notify(M, done),
    R = stop_clock(Clock, N),
    lists:foreach(fun(I) -> N1 = N + 1, N1 = gen_event:call(M, {bench, I}, count) end, lists:seq(1, H)),
    gen_event:stop(M),
    R.

notify_n(_, 0) -> ok;
notify_n(M, K) ->
    gen_event:notify(M, ping),
    notify_n(M, K - 1).

%% =============================================================================================
%% GenStage's demand protocol, by hand. A subscriber sends {ask, self(), Demand} to its producer,
%% first ?MAX_DEMAND, then, each time the events it has asked for and not yet handled fall to
%% ?MIN_DEMAND, as many as bring them back to ?MAX_DEMAND; a producer sends {events, List} with no
%% more than was asked. Events are handled in batches of at most ?MAX_DEMAND - ?MIN_DEMAND, as
%% GenStage hands them to handle_events.

%% The producer emits what is asked for, until it has emitted N events.
stage_producer(Next, N) ->
    receive
        {ask, From, Demand} ->
            K = min(Demand, N - Next),
            case K > 0 of
                true -> From ! {events, lists:seq(Next, Next + K - 1)};
                false -> ok
            end,
            stage_producer(Next + K, N);
        stop -> ok
    end.

%% A subscriber has handled some events, leaving InFlight asked for and not handled: it asks for
%% more if they have fallen to the minimum.
stage_ask(Producer, InFlight) when InFlight =< ?MIN_DEMAND ->
    Producer ! {ask, self(), ?MAX_DEMAND - InFlight},
    ?MAX_DEMAND;
stage_ask(_, InFlight) ->
    InFlight.

%% The first K events of a list (all of them if it is shorter), and the rest.
stage_take(K, Events) ->
    case length(Events) =< K of
        true -> {Events, []};
        false -> lists:split(K, Events)
    end.

%% The producer_consumer doubles what it takes. It subscribes to its producer as a consumer does,
%% and hands on only what its own consumer has asked for (Demand): the rest waits in Queue, as
%% GenStage holds a producer_consumer's events until there is demand for them.
stage_doubler(Producer) ->
    Producer ! {ask, self(), ?MAX_DEMAND},
    stage_doubler(Producer, none, [], 0, ?MAX_DEMAND).

stage_doubler(Producer, Consumer, Queue, Demand, InFlight) ->
    receive
        {events, Events} ->
            stage_double(Producer, Consumer, Queue ++ Events, Demand, InFlight);
        {ask, From, More} ->
            stage_double(Producer, From, Queue, Demand + More, InFlight);
        stop -> ok
    end.

stage_double(Producer, Consumer, Queue, Demand, InFlight) when Demand > 0, Queue =/= [] ->
    {Batch, Rest} = stage_take(min(Demand, ?MAX_DEMAND - ?MIN_DEMAND), Queue),
    K = length(Batch),
    Consumer ! {events, [X * 2 || X <- Batch]},
    stage_double(Producer, Consumer, Rest, Demand - K, stage_ask(Producer, InFlight - K));
stage_double(Producer, Consumer, Queue, Demand, InFlight) ->
    stage_doubler(Producer, Consumer, Queue, Demand, InFlight).

%% The consumer counts and sums; it tells Main once it has N events.
stage_consumer(Producer, Main, N) ->
    Producer ! {ask, self(), ?MAX_DEMAND},
    stage_consume(Producer, Main, N, ?MAX_DEMAND, 0, 0).

stage_consume(Producer, Main, N, InFlight, Count, Sum) ->
    receive
        {events, Events} ->
            {InFlight1, Count1, Sum1} = stage_sum(Producer, Events, InFlight, Count, Sum),
            case Count1 >= N andalso Count < N of
                true -> Main ! {drained, Count1, Sum1};
                false -> ok
            end,
            stage_consume(Producer, Main, N, InFlight1, Count1, Sum1);
        stop -> ok
    end.

stage_sum(_, [], InFlight, Count, Sum) ->
    {InFlight, Count, Sum};
stage_sum(Producer, Events, InFlight, Count, Sum) ->
    {Batch, Rest} = stage_take(?MAX_DEMAND - ?MIN_DEMAND, Events),
    K = length(Batch),
    stage_sum(Producer, Rest, stage_ask(Producer, InFlight - K), Count + K, Sum + lists:sum(Batch)).

%% =============================================================================================
%% Task.async_stream, ordered, written out: at most ?MAX_CONCURRENCY tasks run at once, each started
%% with spawn_monitor as a place frees up; a task sends {self(), Result} and exits; the consumer
%% takes the reply, drops the monitor and its 'DOWN' (erlang:demonitor(Ref, [flush]), as Task.await
%% does), and gives the results out in item order, holding those that come early. A 'DOWN' before
%% the reply means the task died: the run fails. Each result is checked (it is its item's square)
%% as it is given out; returns how many were.

async_stream(Fun, Items) ->
    async_stream(Fun, Items, #{}, 0, #{}, 0).

%% Running: Pid => {Position, MonitorRef}; In: the next item's position; Early: Position => Result
%% of those that came before their turn; Out: the next position to give out.
async_stream(Fun, [X | Items], Running, In, Early, Out) when map_size(Running) < ?MAX_CONCURRENCY ->
    Consumer = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Consumer ! {self(), Fun(X)} end),
    async_stream(Fun, Items, Running#{Pid => {In, Ref}}, In + 1, Early, Out);
async_stream(_, [], Running, _, _, Out) when map_size(Running) =:= 0 ->
    Out;
async_stream(Fun, Items, Running, In, Early, Out) ->
    receive
        {Pid, Result} when is_map_key(Pid, Running) ->
            {{Position, Ref}, Running1} = maps:take(Pid, Running),
            erlang:demonitor(Ref, [flush]),
            {Early1, Out1} = async_give_out(Early#{Position => Result}, Out),
            async_stream(Fun, Items, Running1, In, Early1, Out1);
        {'DOWN', _, process, Pid, Reason} when is_map_key(Pid, Running) ->
            error({task_died, Pid, Reason})
    end.

async_give_out(Early, Out) ->
    case maps:take(Out, Early) of
        {Result, Early1} ->
            Result = Out * Out, % lost, repeated or out of order: a badmatch
            async_give_out(Early1, Out + 1);
        error ->
            {Early, Out}
    end.

%% =============================================================================================
%% Shared table. Worker W does operations G from W * N/Workers on. Operation G reads key
%% table_key(G, W), unless G rem 10 =:= 0: then it writes table_key(G + ?READ_BACK, W), the key the
%% same worker reads ?READ_BACK operations later. A key K always holds a value V with
%% V rem ?TABLE_KEYS =:= K (first K, then K + ?TABLE_KEYS * (W + 1) as worker W writes it), which
%% every read checks; the reads also count the written values they see (V >= ?TABLE_KEYS), at least
%% one for every write but the last of each worker.
%% The table is public (every worker writes), with read_concurrency (reads are 90% and come from
%% several processes at once) and {write_concurrency, auto} (the writes come from several processes
%% too; auto, which the ETS documentation recommends from OTP 25 on, is true with a lock count that
%% adapts to the contention it sees).

shared_table(Workers, N) ->
    Per = N div Workers,
    Total = Per * Workers,
    Main = self(),
    T = ets:new(bench_table, [set, public, {read_concurrency, true}, {write_concurrency, auto}]),
    true = ets:insert(T, [{K, K} || K <- lists:seq(0, ?TABLE_KEYS - 1)]),
    Pids = [spawn(fun() -> receive go -> ok end,
                           Main ! {reads, table_ops(T, W, W * Per, W * Per + Per, 0, 0)}
                  end) || W <- lists:seq(0, Workers - 1)],
    Clock = start_clock(),
    lists:foreach(fun(P) -> P ! go end, Pids),
    {Good, Written} = table_collect(Workers, 0, 0),
    R = stop_clock(Clock, Total),
    Reads = Total - (Total + 9) div 10,
    Good = Reads, % every read found its key's value
    true = Written >= Total - Reads - Workers, % and every write was read back
    ?TABLE_KEYS = ets:info(T, size),
    ets:delete(T),
    R.


table_key(G, W) ->
    (G * ?SPREAD + ?WORKER_SHIFT * W) rem ?TABLE_KEYS.

table_ops(_, _, G, End, Good, Written) when G >= End ->
    {Good, Written};
table_ops(T, W, G, End, Good, Written) ->
    case G rem 10 of
        0 ->
            K = table_key(G + ?READ_BACK, W),
            ets:insert(T, {K, K + ?TABLE_KEYS * (W + 1)}),
            table_ops(T, W, G + 1, End, Good, Written);
        _ ->
            K = table_key(G, W),
            case ets:lookup(T, K) of
                [{_, V}] when V rem ?TABLE_KEYS =:= K, V >= ?TABLE_KEYS ->
                    table_ops(T, W, G + 1, End, Good + 1, Written + 1);
                [{_, V}] when V rem ?TABLE_KEYS =:= K ->
                    table_ops(T, W, G + 1, End, Good + 1, Written);
                _ ->
                    table_ops(T, W, G + 1, End, Good, Written)
            end
    end.

table_collect(0, Good, Written) -> {Good, Written};
table_collect(K, Good, Written) ->
    receive {reads, {G, Wr}} -> table_collect(K - 1, Good + G, Written + Wr) end.

%% --- callbacks ---------------------------------------------------------------------------------

%% gen_server: the echo server ({echo}) and the supervised worker ({worker, I, Watcher}), which
%% announces itself; supervisor ({sup, Children}); gen_statem ({toggle}); gen_event handler ({handler}).
init({echo}) -> {ok, 0};
init({worker, I, Watcher}) -> Watcher ! {started, I, self()}, {ok, 0};
init({sup, Children}) ->
    {ok, {#{strategy => one_for_one, intensity => 100000, period => 1}, Children}};
init({toggle}) -> {ok, off, 0};
init({handler}) -> {ok, 0}.

handle_call(count, _From, Casts) -> {reply, Casts, Casts};
handle_call(Request, _From, Casts) -> {reply, Request, Casts}.

handle_cast(crash, _) -> erlang:error(crash);
handle_cast(_, Casts) -> {noreply, Casts + 1}.

handle_info(_, State) -> {noreply, State}.

terminate(_, _) -> ok.

callback_mode() -> handle_event_function.

handle_event(cast, toggle, Light, Count) -> {next_state, flip(Light), Count + 1};
handle_event({call, From}, count, _, Count) -> {keep_state_and_data, [{reply, From, Count}]};
handle_event({call, From}, toggle, Light, Count) -> {next_state, flip(Light), Count + 1, [{reply, From, Count}]}.

terminate(_, _, _) -> ok.

flip(off) -> on;
flip(on) -> off.

handle_event(_, Count) -> {ok, Count + 1}.

handle_call(count, Count) -> {ok, Count, Count}.

%% =============================================================================================

nothing() -> ok.

spawn_n(0) -> ok;
spawn_n(K) ->
    spawn(fun nothing/0),
    spawn_n(K - 1).

await_process_count(Base) ->
    case erlang:system_info(process_count) =< Base of
        true -> ok;
        false -> erlang:yield(), await_process_count(Base)
    end.

idle() ->
    receive _ -> ok end.

spawn_idle(0, Acc) -> Acc;
spawn_idle(K, Acc) -> spawn_idle(K - 1, [spawn(fun idle/0) | Acc]).

wait_waiting(Pids) ->
    case lists:all(fun(P) -> erlang:process_info(P, status) =:= {status, waiting} end, Pids) of
        true -> ok;
        false -> timer:sleep(10), wait_waiting(Pids)
    end.

wait_process_count(Base) ->
    case erlang:system_info(process_count) =< Base of
        true -> ok;
        false -> timer:sleep(5), wait_process_count(Base)
    end.

echo_back(To) ->
    receive
        stop -> ok;
        M -> To ! M, echo_back(To)
    end.

ping(0, _) -> ok;
ping(K, Echo) ->
    Echo ! ping,
    receive ping -> ping(K - 1, Echo) end.

ring_init(Main) ->
    receive {next, Next} -> ring_loop(Main, Next) end.

ring_loop(Main, Next) ->
    receive
        0 -> Main ! done, ring_loop(Main, Next);
        H when is_integer(H) -> Next ! H - 1, ring_loop(Main, Next);
        stop -> ok
    end.

sink(0, Main) -> Main ! done;
sink(K, Main) -> receive _ -> sink(K - 1, Main) end.

spawn_senders(0, _, _, _, Acc) -> Acc;
spawn_senders(K, Sink, Per, Main, Acc) ->
    S = spawn(fun() -> Main ! ready, receive go -> send_n(Sink, Per) end end),
    spawn_senders(K - 1, Sink, Per, Main, [S | Acc]).

wait_for(_, 0) -> ok;
wait_for(Msg, K) -> receive Msg -> wait_for(Msg, K - 1) end.

send_n(_, 0) -> ok;
send_n(Sink, K) -> Sink ! ping, send_n(Sink, K - 1).

echo_server() ->
    receive
        {req, From, Ref} -> From ! {Ref, reply}, echo_server();
        stop -> ok
    end.

fill(0) -> ok;
fill(K) -> self() ! junk, fill(K - 1).

exchanges(_, _, K, Acc) when K >= ?MAX_EXCHANGES -> Acc;
exchanges(Echo, Deadline, K, Acc) ->
    case K >= ?MIN_EXCHANGES andalso now_ns() >= Deadline of
        true -> Acc;
        false ->
            T0 = now_ns(),
            ok = exchange(Echo),
            exchanges(Echo, Deadline, K + 1, [now_ns() - T0 | Acc])
    end.

%% make_ref() and a receive that matches only on it, in one function: the compiler inserts a
%% receive marker, so the receive skips every message that was queued before the reference existed.
exchange(Echo) ->
    Ref = make_ref(),
    Echo ! {req, self(), Ref},
    receive
        {Ref, reply} -> ok
    after 30000 -> error(no_reply)
    end.

count_junk(K) ->
    receive junk -> count_junk(K + 1) after 0 -> K end.

median(L) ->
    S = lists:sort(L),
    Len = length(S),
    case Len rem 2 of
        1 -> lists:nth(Len div 2 + 1, S);
        0 -> (lists:nth(Len div 2, S) + lists:nth(Len div 2 + 1, S)) div 2
    end.

fib(Parent, N) when N < 2 -> Parent ! N;
fib(Parent, N) ->
    Self = self(),
    spawn(fun() -> fib(Self, N - 1) end),
    spawn(fun() -> fib(Self, N - 2) end),
    receive A -> receive B -> Parent ! A + B end end.

fib_seq(0, A, _) -> A;
fib_seq(K, A, B) -> fib_seq(K - 1, B, A + B).

%% Processes in the tree of fib(N): calls(N) = 1 + calls(N-1) + calls(N-2) = 2 fib(N+1) - 1.
fib_calls(N) -> 2 * fib_seq(N + 1, 0, 1) - 1.
