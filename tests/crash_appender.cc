// A child process for the crash test: opens (creating on first use) the log
// in argv[1], prints "ready", then appends from many threads until killed,
// printing "ack SEQ REQUEST_ID" after each append is acknowledged (durable). The parent SIGKILLs it
// at a random moment. With a third argument "bulk", every commit group is written as ingested table
// files.
#include <flatbuffers/flatbuffers.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "core/data_keys.h"
#include "core/keys.h"
#include "events/event_log.h"
#include "events/schema/payloads_generated.h"

using namespace backpack;

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || !CryptoInit().ok()) return 2;
  std::filesystem::path dir = argv[1];
  std::string round = argv[2];
  bool fresh = !std::filesystem::exists(dir / "keys");
  if (fresh && !CreateKeyFiles(dir / "keys").ok()) return 3;
  auto keys = LoadKeyFiles(dir / "keys");
  StoreOptions options;
  options.create_if_missing = true;
  options.column_families = EventLog::ColumnFamilies();
  if (argc == 4 && std::string_view(argv[3]) == "bulk") options.bulk_write_bytes = 1;
  auto store = Store::Open((dir / "db").string(), options);
  if (!keys || !store) return 3;
  if (fresh && !EventLog::InitializeLog(**store, "backpack.test/crash").ok()) return 3;
  DataKeyRing ring(**store, keys->kek);
  auto log = EventLog::Open(**store, *keys, ring);
  if (!log) return 3;
  std::printf("ready\n");  // the parent's kill timer starts now
  std::fflush(stdout);

  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (int w = 0; w < 32; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0;; ++i) {
        std::string request_id = "r" + round + "-w" + std::to_string(w) + "-" + std::to_string(i);
        flatbuffers::FlatBufferBuilder fbb;
        fbb.Finish(
            fb::CreateNoteWrittenPayloadDirect(fbb, "n", "other", request_id.c_str(), false));
        NewEvent e;
        e.type = EventType::NoteWritten;
        e.actor_id = "usr_crash";
        e.subject_id = "stu_" + std::to_string((w * 31 + i) % 97);  // new keys appear too
        e.request_id = request_id;
        e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
        auto r = (*log)->Append({std::move(e)});
        if (!r) continue;
        std::lock_guard lock(out_mu);
        std::printf("ack %llu %s\n", static_cast<unsigned long long>(r->first_seq),
                    request_id.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : threads) t.join();
}
