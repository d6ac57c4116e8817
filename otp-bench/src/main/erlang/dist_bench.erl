%% The BEAM's side of the distribution benchmark (org.otp4j.bench.dist.DistBench): Erlang
%% distribution between two nodes on loopback, the same workloads as the Java contenders
%% (org.otp4j.bench.dist.DistWork), printing the same lines.
%%
%%   erl -name resp@127.0.0.1 -setcookie C -noshell -pa DIR -run dist_bench responder
%%   erl -name drv@127.0.0.1 -setcookie C -noshell -pa DIR -run dist_bench driver resp@127.0.0.1
-module(dist_bench).
-export([responder/0, driver/1]).

-define(SINKS, 8).
%% id, clients or senders, round trips or messages each, payload bytes, one-way
-define(SPECS, [{pingpong, 1, 20000, 0, false},
                {oneway, 1, 300000, 0, true},
                {oneway8, 8, 100000, 0, true},
                {call100, 100, 500, 0, false},
                {kb1, 1, 100000, 1024, true},
                {kb64, 1, 2000, 65536, true}]).

responder() ->
    register(echo, spawn(fun echo/0)),
    [register(list_to_atom("sink" ++ integer_to_list(I)), spawn(fun() -> sink(0) end))
     || I <- lists:seq(0, ?SINKS - 1)],
    io:format("READY ~s~n", [node()]),
    %% the harness kills us (or closes our input)
    _ = io:get_line(''),
    halt().

echo() ->
    receive
        {req, From} -> From ! {rep, self()}
    end,
    echo().

sink(N) ->
    receive
        {m, _} -> sink(N + 1);
        {'end', From} -> From ! {count, self(), N}, sink(0)
    end.

driver([Resp]) ->
    Node = list_to_atom(Resp),
    wait_connected(Node, 1200),
    %% the pids, as a program that talks to them many times would keep them
    Echo = rpc:call(Node, erlang, whereis, [echo]),
    Sinks = [rpc:call(Node, erlang, whereis, [list_to_atom("sink" ++ integer_to_list(I))])
             || I <- lists:seq(0, ?SINKS - 1)],
    [begin
         _ = run(Echo, Sinks, Spec),
         Rate = run(Echo, Sinks, Spec),
         io:format("RESULT ~s ~.1f~n", [Id, Rate])
     end || Spec = {Id, _, _, _, _} <- ?SPECS],
    erlang:monitor_node(Node, true),
    io:format("ARMED~n"),
    receive
        {nodedown, Node} -> io:format("DOWN ~b~n", [os:system_time(microsecond)])
    end,
    halt().

wait_connected(Node, 0) ->
    io:format(standard_error, "~s did not answer~n", [Node]),
    halt(2);
wait_connected(Node, Tries) ->
    case net_adm:ping(Node) of
        pong -> ok;
        pang -> timer:sleep(100), wait_connected(Node, Tries - 1)
    end.

run(Echo, _, {_, Clients, Each, _, false}) ->
    Self = self(),
    T0 = erlang:monotonic_time(),
    [spawn(fun() -> client(Echo, Each), Self ! done end) || _ <- lists:seq(1, Clients)],
    [receive done -> ok end || _ <- lists:seq(1, Clients)],
    rate(Clients * Each, T0);
run(_, Sinks, {_, Senders, Each, Bytes, true}) ->
    Self = self(),
    Body = binary:copy(<<0>>, Bytes),
    T0 = erlang:monotonic_time(),
    [spawn(fun() ->
                   send_n(Sink, {m, Body}, Each),
                   Sink ! {'end', Self}
           end) || Sink <- lists:sublist(Sinks, Senders)],
    [receive {count, _, Each} -> ok;
             {count, _, Other} -> error({count, Other, Each})
     end || _ <- lists:seq(1, Senders)],
    rate(Senders * Each, T0).

client(_, 0) -> ok;
client(Echo, N) ->
    Echo ! {req, self()},
    receive {rep, _} -> ok end,
    client(Echo, N - 1).

send_n(_, _, 0) -> ok;
send_n(To, Msg, N) -> To ! Msg, send_n(To, Msg, N - 1).

rate(Ops, T0) ->
    Ns = erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond),
    Ops / (Ns / 1.0e9).
