// The otp4j chat client: plain JavaScript, no build step.
//
// It speaks the JSON protocol of Frames.java over one WebSocket. What it does beyond drawing:
// - every message carries a room sequence number; the client applies them in order, keeps early
//   ones aside, and asks for "history since" its last seq when it sees a gap or when a restarted
//   room says it is further along (room_state);
// - sends carry a client id and stay "pending" until acknowledged; after a reconnect they are
//   sent again, which is safe: the room answers a repeated client id with the first one's seq;
// - after a reconnect it logs in again with its token and rejoins its rooms "since" its last seq.
"use strict";

const $ = (id) => document.getElementById(id);
const store = window.sessionStorage; // per tab: two tabs can be two users

const chat = {
  ws: null,
  user: null,
  token: store.getItem("token"),
  rooms: new Map(),       // name -> {lastSeq, known, msgs: Map(seq -> msg), early: Map, asking, members, online}
                          // members: a Set fetched when the room is shown, then kept by presence diffs
  joined: new Set(JSON.parse(store.getItem("joined") || "[]")),
  directs: new Map(),     // peer -> [dm]
  current: null,          // {kind: "room" | "dm", name}
  pending: new Map(),     // clientId -> {room, text}
  retry: 500,
};

// ---------------------------------------------------------------------------------------------
// the socket

function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  chat.ws = ws;
  setStatus("connecting");
  ws.onopen = () => {
    chat.retry = 500;
    if (chat.token) send({ type: "auth" });
  };
  ws.onmessage = (e) => handle(JSON.parse(e.data));
  ws.onclose = () => {
    setStatus("reconnecting");
    setTimeout(connect, chat.retry);
    chat.retry = Math.min(chat.retry * 2, 8000);
  };
}

function send(frame) {
  if (chat.token && !frame.token) frame.token = chat.token;
  if (chat.ws && chat.ws.readyState === WebSocket.OPEN) chat.ws.send(JSON.stringify(frame));
}

setInterval(() => send({ type: "ping" }), 20000);

function newId() {
  return (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random()).toString();
}

// ---------------------------------------------------------------------------------------------
// frames from the server

function handle(f) {
  switch (f.type) {
    case "hello": break;
    case "pong": break;
    case "authenticated": onAuthenticated(f); break;
    case "logged_out": loggedOut(); break;
    case "rooms": onRooms(f.rooms); break;
    case "room_created": send({ type: "rooms" }); join(f.room); break;
    case "joined": onJoined(f); break;
    case "left": break;
    case "message": apply(room(f.room), f); break;
    case "ack": chat.pending.delete(f.clientId); redraw(); break;
    case "members": {
      const r = room(f.room);
      r.members = new Set(f.members);
      r.membersAsked = false;
      drawMembers();
      break;
    }
    case "presence": onPresence(f); break;
    case "room_state": {
      const r = room(f.room);
      r.online = f.online;
      r.known = Math.max(r.known, f.lastSeq);
      fillGap(f.room);
      drawMembers();
      // A room also says where it stands when a join starts it: only a later one is a restart.
      if (Date.now() - r.joinedAt > 1000) notice(f.room, "the room process restarted, at #" + f.lastSeq);
      break;
    }
    case "history": onHistory(f); break;
    case "dm": onDirect(f); break;
    case "dm_sent": break;
    case "room_killed": notice(f.room, "killed room process " + f.pid + "; its supervisor restarts it"); break;
    case "error": onError(f); break;
    default: console.log("unknown frame", f);
  }
}

function onAuthenticated(f) {
  chat.user = f.user;
  chat.token = f.token;
  store.setItem("token", f.token);
  $("me").textContent = f.user;
  $("login").hidden = true;
  $("app").hidden = false;
  setStatus("online");
  send({ type: "rooms" });
  if (chat.joined.size === 0) chat.joined.add("lobby");
  for (const name of chat.joined) {
    const r = chat.rooms.get(name);
    send(r && r.lastSeq > 0 ? { type: "join", room: name, since: r.lastSeq } : { type: "join", room: name });
  }
  for (const [clientId, p] of chat.pending) { // safe to repeat: the client id makes it idempotent
    send({ type: "send", room: p.room, clientId, text: p.text });
  }
  if (!chat.current) select({ kind: "room", name: [...chat.joined][0] });
}

function onError(f) {
  if (f.code === "unauthenticated") {
    chat.token = null;
    store.removeItem("token");
    $("app").hidden = true;
    $("login").hidden = false;
  }
  const where = $("app").hidden ? $("login-error") : $("error");
  where.textContent = f.message + " (" + f.code + ")";
  setTimeout(() => { if (where.textContent.startsWith(f.message)) where.textContent = ""; }, 6000);
}

function onRooms(rooms) {
  const ul = $("rooms");
  ul.replaceChildren();
  for (const r of rooms) {
    const li = document.createElement("li");
    li.dataset.room = r.name;
    li.className = chat.current && chat.current.kind === "room" && chat.current.name === r.name ? "current" : "";
    const name = document.createElement("span");
    name.textContent = "#" + r.name;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = r.online > 0 ? r.online + " online" : "";
    li.append(name, count);
    li.onclick = () => join(r.name);
    ul.append(li);
  }
}

// Who came or went: a diff applied to the list this tab has (if it fetched one), and the count.
function onPresence(f) {
  const r = room(f.room);
  r.online = f.online;
  if (r.members) {
    if (f.event === "join") r.members.add(f.user);
    else r.members.delete(f.user);
  }
  for (const li of $("rooms").children) {
    if (li.dataset.room === f.room) li.querySelector(".count").textContent = f.online > 0 ? f.online + " online" : "";
  }
  drawMembers();
}

// The member list of a room, asked for when the room is shown (presence keeps it up to date).
function fetchMembers(name) {
  send({ type: "members", room: name });
}

function onJoined(f) {
  const r = room(f.room);
  r.online = f.online;
  r.members = null; // fetched again when shown: it may have changed while this tab was away
  r.membersAsked = false;
  send({ type: "rooms" }); // the counts
  r.joinedAt = Date.now();
  r.known = Math.max(r.known, f.lastSeq);
  chat.joined.add(f.room);
  store.setItem("joined", JSON.stringify([...chat.joined]));
  for (const m of f.messages) apply(r, m);
  fillGap(f.room);
  if (!chat.current || chat.current.kind !== "room" || chat.current.name === f.room) {
    select({ kind: "room", name: f.room });
  }
}

function onHistory(f) {
  const r = room(f.room);
  if (f.ref === "older") { // scrolling back: put them in front
    for (const m of f.messages) r.msgs.set(m.seq, m);
    r.hasOlder = f.more;
    redraw();
    return;
  }
  r.asking = false;
  for (const m of f.messages) apply(r, m);
  fillGap(f.room);
}

function onDirect(f) {
  const peer = f.from === chat.user ? f.to : f.from;
  if (!chat.directs.has(peer)) chat.directs.set(peer, []);
  chat.directs.get(peer).push(f);
  drawDirects(peer);
  if (chat.current && chat.current.kind === "dm" && chat.current.name === peer) redraw();
}

// ---------------------------------------------------------------------------------------------
// a room's ordered stream

function room(name) {
  if (!chat.rooms.has(name)) {
    chat.rooms.set(name, { lastSeq: 0, known: 0, msgs: new Map(), early: new Map(), asking: false, members: null,
      online: 0,
      hasOlder: false, baseline: false, notices: [] });
  }
  return chat.rooms.get(name);
}

// Applies a message in sequence order: the next one is shown, a later one waits for the gap to fill.
function apply(r, m) {
  r.known = Math.max(r.known, m.seq);
  if (!r.baseline) { // the first message seen sets where this client's stream starts
    r.baseline = true;
    if (r.lastSeq === 0) r.lastSeq = m.seq - 1;
    r.hasOlder = m.seq > 1;
  }
  if (m.seq <= r.lastSeq || r.early.has(m.seq)) return; // seen already
  r.early.set(m.seq, m);
  while (r.early.has(r.lastSeq + 1)) {
    const next = r.early.get(r.lastSeq + 1);
    r.early.delete(r.lastSeq + 1);
    r.msgs.set(next.seq, next);
    r.lastSeq = next.seq;
    chat.pending.delete(next.from === chat.user ? next.clientId : "");
  }
  if (r.early.size > 0) fillGap(m.room);
  if (chat.current && chat.current.kind === "room" && chat.current.name === m.room) redraw();
}

// Asks for what lies between the last applied seq and the highest seq known, once at a time.
function fillGap(name) {
  const r = room(name);
  if (!r.asking && r.known > r.lastSeq) {
    r.asking = true;
    send({ type: "history", room: name, since: r.lastSeq });
  }
}

function oldest(r) {
  let min = Infinity;
  for (const seq of r.msgs.keys()) min = Math.min(min, seq);
  return min;
}

// ---------------------------------------------------------------------------------------------
// drawing

function select(target) {
  chat.current = target;
  $("title").textContent = target.kind === "room" ? "#" + target.name : "Direct with " + target.name;
  for (const li of $("rooms").children) li.classList.toggle("current", target.kind === "room" && li.dataset.room === target.name);
  drawDirects();
  drawMembers();
  redraw();
  $("text").focus();
}

function redraw() {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  if (!chat.current) return;
  if (chat.current.kind === "room") {
    const r = room(chat.current.name);
    $("older-btn").hidden = !(r.hasOlder && oldest(r) > 1);
    const notices = (after) => r.notices.filter((n) => n.afterSeq === after)
      .forEach((n) => box.append(line({ notice: true, text: n.text })));
    notices(0);
    for (const seq of [...r.msgs.keys()].sort((a, b) => a - b)) {
      box.append(line(r.msgs.get(seq)));
      notices(seq);
    }
    for (const [clientId, p] of chat.pending) {
      if (p.room === chat.current.name) box.append(line({ from: chat.user, text: p.text, clientId }, true));
    }
  } else {
    $("older-btn").hidden = true;
    for (const dm of chat.directs.get(chat.current.name) || []) box.append(line(dm));
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function line(m, pending) {
  const div = document.createElement("div");
  div.className = "msg" + (pending ? " pending" : "") + (m.notice ? " notice" : "");
  if (m.seq) div.dataset.seq = m.seq;
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = m.notice ? "" : m.from;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = m.text;
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = m.ts ? new Date(m.ts).toLocaleTimeString() : "";
  meta.textContent = pending ? "sending..." : m.seq ? "#" + m.seq + " " + time : time;
  div.append(from, text, meta);
  return div;
}

// A line from the client itself (not a message), shown after the last message seen so far.
function notice(roomName, text) {
  const r = room(roomName);
  r.notices.push({ afterSeq: r.lastSeq, text });
  if (chat.current && chat.current.kind === "room" && chat.current.name === roomName) redraw();
}

function drawMembers() {
  const ul = $("members");
  ul.replaceChildren();
  $("online-count").textContent = "";
  if (!chat.current || chat.current.kind !== "room") return;
  const r = room(chat.current.name);
  $("online-count").textContent = r.online > 0 ? "(" + r.online + ")" : "";
  if (!r.members) {
    if (!r.membersAsked && r.joinedAt) {
      r.membersAsked = true;
      fetchMembers(chat.current.name);
    }
    return;
  }
  for (const name of [...r.members].sort()) {
    const li = document.createElement("li");
    li.textContent = name + (name === chat.user ? " (you)" : "");
    if (name !== chat.user) li.onclick = () => openDirect(name);
    ul.append(li);
  }
}

function drawDirects(unread) {
  const ul = $("directs");
  ul.replaceChildren();
  for (const peer of chat.directs.keys()) {
    const li = document.createElement("li");
    li.textContent = "@" + peer;
    const current = chat.current && chat.current.kind === "dm" && chat.current.name === peer;
    li.className = current ? "current" : peer === unread ? "unread" : "";
    li.onclick = () => select({ kind: "dm", name: peer });
    ul.append(li);
  }
}

function openDirect(peer) {
  if (!chat.directs.has(peer)) chat.directs.set(peer, []);
  select({ kind: "dm", name: peer });
}

function setStatus(s) {
  $("status").textContent = s;
  $("status").classList.toggle("online", s === "online");
}

// ---------------------------------------------------------------------------------------------
// actions

function join(name) {
  if (chat.joined.has(name) && chat.rooms.has(name)) {
    select({ kind: "room", name });
    return;
  }
  select({ kind: "room", name });
  send({ type: "join", room: name });
}

function loggedOut() {
  chat.token = null;
  store.clear();
  location.reload();
}

function submitText(text) {
  const cmd = text.match(/^\/(\S+)\s*(.*)$/);
  if (cmd) {
    const [, name, rest] = cmd;
    if (name === "kill-room") send({ type: "kill_room", room: rest.trim() || currentRoom() });
    else if (name === "join") join(rest.trim());
    else if (name === "create") send({ type: "create_room", room: rest.trim() });
    else if (name === "dm") {
      const m = rest.match(/^(\S+)\s+(.+)$/);
      if (m) { openDirect(m[1]); sendDirect(m[1], m[2]); }
    } else $("error").textContent = "unknown command /" + name + "; try /join, /create, /dm, /kill-room";
    return;
  }
  if (!chat.current) return;
  if (chat.current.kind === "dm") {
    sendDirect(chat.current.name, text);
    return;
  }
  const clientId = newId();
  chat.pending.set(clientId, { room: chat.current.name, text });
  send({ type: "send", room: chat.current.name, clientId, text });
  redraw();
}

// Sends a direct message and shows it in this tab (the server shows it in the sender's other tabs).
function sendDirect(peer, text) {
  send({ type: "dm", to: peer, clientId: newId(), text });
  if (peer !== chat.user) onDirect({ from: chat.user, to: peer, text, ts: Date.now() });
}

function currentRoom() {
  return chat.current && chat.current.kind === "room" ? chat.current.name : "";
}

$("login-form").onsubmit = (e) => {
  e.preventDefault();
  send({ type: "login", user: $("user").value.trim(), password: $("password").value });
};
$("signup-btn").onclick = () => send({ type: "signup", user: $("user").value.trim(), password: $("password").value });
$("logout-btn").onclick = () => send({ type: "logout" });
$("send-form").onsubmit = (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (text) submitText(text);
  $("text").value = "";
};
$("create-form").onsubmit = (e) => {
  e.preventDefault();
  const name = $("new-room").value.trim();
  if (name) send({ type: "create_room", room: name });
  $("new-room").value = "";
};
$("older-btn").onclick = () => {
  const name = currentRoom();
  if (name) send({ type: "history", room: name, before: oldest(room(name)), limit: 50, ref: "older" });
};

connect();
