#!/usr/bin/env bash
# Apache Kafka (org.apache.kafka:kafka_2.13 from Maven Central, version set in
# deploy/local/kafka/pom.xml) as a single KRaft node (broker + controller):
#   PLAINTEXT  127.0.0.1:$EMPORIA_KAFKA_PORT            (default 59092)
#   CONTROLLER 127.0.0.1:$EMPORIA_KAFKA_CONTROLLER_PORT (default 59093)
#   PROXIED    127.0.0.1:$EMPORIA_KAFKA_PROXIED_PORT, advertised as
#              127.0.0.1:$EMPORIA_KAFKA_PROXIED_ADVERTISED_PORT (both unset: no such listener)
# The PROXIED listener is for a fault proxy (the chaos runner's Toxiproxy): a client that
# bootstraps on the proxy's port is told the proxy's port for the broker, so all its traffic
# stays on the proxy, while every other client keeps using PLAINTEXT directly.
# Jars in $EMPORIA_LOCAL_DIR/kafka-<version>/libs, state in $EMPORIA_LOCAL_DIR/kafka.
# Readiness = a real produce + consume round trip (kafka/KafkaRoundTrip.java).
#
# usage: deploy/local/kafka.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=kafka

KAFKA_SRC="$EMPORIA_LOCAL_SCRIPTS_DIR/kafka"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_SRC/pom.xml")"
KAFKA_HOME="$EMPORIA_LOCAL_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_CLASSES="$KAFKA_HOME/classes"
KAFKA_DIR="$EMPORIA_LOCAL_DIR/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_CONF="$KAFKA_DIR/server.properties"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_HEAP="${EMPORIA_KAFKA_HEAP:-512m}"
KAFKA_START_TIMEOUT="${EMPORIA_KAFKA_START_TIMEOUT:-120}"
KAFKA_READY_TOPIC="${EMPORIA_KAFKA_READY_TOPIC:-__emporia_readiness}"
KAFKA_BOOTSTRAP="$EMPORIA_HOST:$EMPORIA_KAFKA_PORT"
KAFKA_PROXIED_PORT="${EMPORIA_KAFKA_PROXIED_PORT:-}"
KAFKA_PROXIED_ADVERTISED_PORT="${EMPORIA_KAFKA_PROXIED_ADVERTISED_PORT:-}"
if [[ -n "$KAFKA_PROXIED_PORT" || -n "$KAFKA_PROXIED_ADVERTISED_PORT" ]]; then
  [[ "$KAFKA_PROXIED_PORT" =~ ^[0-9]+$ && "$KAFKA_PROXIED_ADVERTISED_PORT" =~ ^[0-9]+$ ]] ||
    die "EMPORIA_KAFKA_PROXIED_PORT and EMPORIA_KAFKA_PROXIED_ADVERTISED_PORT go together, as port numbers (got '$KAFKA_PROXIED_PORT' and '$KAFKA_PROXIED_ADVERTISED_PORT')"
fi

svc_install() {
  ensure_java
  mvn_fetch "$KAFKA_SRC/pom.xml" "$KAFKA_LIBS"
  javac_build "$KAFKA_CLASSES" "$KAFKA_LIBS/*" "$KAFKA_SRC/KafkaRoundTrip.java"
}

kafka_pid() {
  running_pid "$KAFKA_PID" "$KAFKA_CONF"
}

# Java tools from the Kafka classpath (StorageTool, our round-trip probe).
kafka_tool() {
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$KAFKA_SRC/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*:$KAFKA_CLASSES" "$@"
}

round_trip() {
  kafka_tool KafkaRoundTrip "$KAFKA_BOOTSTRAP" "$KAFKA_READY_TOPIC" "$1"
}

write_conf() {
  mkdir -p "$KAFKA_DIR"
  local listeners="PLAINTEXT://$EMPORIA_HOST:$EMPORIA_KAFKA_PORT,CONTROLLER://$EMPORIA_HOST:$EMPORIA_KAFKA_CONTROLLER_PORT"
  local advertised="PLAINTEXT://$EMPORIA_HOST:$EMPORIA_KAFKA_PORT"
  local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ -n "$KAFKA_PROXIED_PORT" ]]; then
    listeners+=",PROXIED://$EMPORIA_HOST:$KAFKA_PROXIED_PORT"
    advertised+=",PROXIED://$EMPORIA_HOST:$KAFKA_PROXIED_ADVERTISED_PORT"
    protocols+=",PROXIED:PLAINTEXT"
  fi
  cat >"$KAFKA_CONF" <<EOF
# written by deploy/local/kafka.sh at every start; edits are overwritten
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$EMPORIA_HOST:$EMPORIA_KAFKA_CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$KAFKA_DATA

num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0

num.network.threads=3
num.io.threads=4
log.retention.hours=24
log.segment.bytes=104857600
log.retention.check.interval.ms=300000
EOF
}

format_storage() {
  [[ -f "$KAFKA_DATA/meta.properties" ]] && return 0
  local id
  id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$KAFKA_DIR/format.log" | tail -n1)"
  [[ -n "$id" ]] || { tail_log "$KAFKA_DIR/format.log"; die "could not generate a cluster id"; }
  log "formatting KRaft storage in $KAFKA_DATA (cluster id $id)"
  if ! kafka_tool kafka.tools.StorageTool format -t "$id" -c "$KAFKA_CONF" --ignore-formatted \
    >>"$KAFKA_DIR/format.log" 2>&1; then
    tail_log "$KAFKA_DIR/format.log"
    die "kafka storage format failed"
  fi
}

svc_start() {
  local started pid
  started="$(now_ms)"
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]]; then
    if port_open "$EMPORIA_KAFKA_PORT" && round_trip 30 >/dev/null; then
      log "already running (pid $pid) and ready on $KAFKA_BOOTSTRAP"
      return 0
    fi
    tail_log "$KAFKA_LOG"
    die "kafka (pid $pid) runs but no round trip on $KAFKA_BOOTSTRAP (port or settings changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_KAFKA_PORT" kafka
  ensure_port_free "$EMPORIA_KAFKA_CONTROLLER_PORT" "kafka controller"
  [[ -z "$KAFKA_PROXIED_PORT" ]] || ensure_port_free "$KAFKA_PROXIED_PORT" "kafka proxied listener"
  write_conf
  format_storage
  rotate_log "$KAFKA_LOG"
  log "starting Kafka $KAFKA_VERSION (KRaft) on $KAFKA_BOOTSTRAP, controller $EMPORIA_HOST:$EMPORIA_KAFKA_CONTROLLER_PORT, heap $KAFKA_HEAP"
  local java_opts=(
    "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP"
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$KAFKA_SRC/log4j2.properties"
    "-Dkafka.logs.dir=$KAFKA_DIR"
  )
  # setsid: own session, so the broker outlives the shell/CI step that started it.
  setsid java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF" \
    </dev/null >"$KAFKA_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$KAFKA_PID"
  if ! WAIT_PID="$pid" wait_until "$KAFKA_START_TIMEOUT" "kafka listener" port_open "$EMPORIA_KAFKA_PORT"; then
    tail_log "$KAFKA_LOG"
    die "Kafka did not open $KAFKA_BOOTSTRAP"
  fi
  local msg
  if ! msg="$(round_trip 60)"; then
    tail_log "$KAFKA_LOG"
    die "Kafka did not complete a produce/consume round trip on $KAFKA_BOOTSTRAP"
  fi
  log "$msg"
  log "ready on $KAFKA_BOOTSTRAP (pid $pid) in $(elapsed "$started")"
}

svc_stop() {
  local pid
  pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    rm -f "$KAFKA_PID"
    return 0
  fi
  log "stopping (pid $pid)"
  stop_pid "$pid" kafka 60
  rm -f "$KAFKA_PID"
  log "stopped"
}

svc_status() {
  local pid
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]] && port_open "$EMPORIA_KAFKA_PORT"; then
    echo "kafka: running (pid $pid), listening on $KAFKA_BOOTSTRAP"
  elif [[ -n "$pid" ]]; then
    echo "kafka: running (pid $pid) but NOT listening on $KAFKA_BOOTSTRAP"
    return 1
  else
    echo "kafka: stopped"
    return 3
  fi
}

service_main "$@"
