#include "tests/api_test_world.h"

#include <zip.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "demo/demo_district.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/api/read_limiter.h"
#include "http/server.h"
#include "imports/import_set.h"
#include "projections/ids.h"
#include "projections/intake/intake.h"
#include "projections/rebuild.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tests/forwarding_log.h"

namespace backpack::api_testing {
using backpack::testing::ReadFile;
namespace {

constexpr std::string_view kPassword = kTestPassword;
constexpr int64_t kSessionIdleMicros = 30 * 60 * kMicrosPerSecond;

// A zip of `files` (names relative to `dir`), written with libzip.
std::string ZipFolder(const std::filesystem::path& dir, const std::vector<std::string>& files,
                      const std::filesystem::path& out) {
  int error = 0;
  zip_t* archive = zip_open(out.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(archive != nullptr);
  std::vector<std::string> contents;
  contents.reserve(files.size());
  for (const std::string& name : files) {
    contents.push_back(ReadFile(dir / name));
    zip_source_t* source =
        zip_source_buffer(archive, contents.back().data(), contents.back().size(), 0);
    REQUIRE(source != nullptr);
    REQUIRE(zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE) >= 0);
  }
  REQUIRE(zip_close(archive) == 0);
  return ReadFile(out);
}

}  // namespace

struct ApiWorld::Impl {
  ManualClock session_clock{1'790'000'000'000'000};
  std::unique_ptr<api::SessionStore> sessions;
  std::unique_ptr<api::LoginLimiter> limiter;
  std::unique_ptr<api::BlockingPool> pool;
  std::unique_ptr<api::BlockingPool> login_pool;
  std::unique_ptr<api::BlockingPool> read_pool;
  std::shared_ptr<api::ReadLimiter> read_limiter =
      api::ReadLimiter::Create(api::kDefaultReadsPerAccount);
  std::shared_ptr<http::Metrics> metrics = std::make_shared<http::Metrics>();
  api::ApiContext context;
  std::filesystem::path district;  // the demo set's folder, as generated
  std::vector<std::string> files;  // its files
  int edits = 0;                   // edited copies made so far
  std::string zip;
  std::unique_ptr<http::HttpServer> server;  // last: stopped first

  ~Impl() {
    if (server) api::StopServing(*server, context);
  }
};

namespace {

Account AddAccount(Services& services, const std::string& username, Role role, IdSet flags = {},
                   const std::string& sourced_id = "") {
  AddUserRequest request;
  request.username = username;
  request.role = role;
  request.display_name = "Synthetic " + username;
  request.flags = std::move(flags);
  request.sourced_id = sourced_id;
  request.password_cost = PasswordCost::kMinimal;
  auto id = RosterCommands(services).AddUser(Actor{"system", "req_setup", ""}, request, kPassword);
  REQUIRE(id);
  return Account{username, *id, "", role};
}

// The first of `candidates` for which `ok` holds.
template <typename Pred>
std::string First(const std::vector<std::pair<std::string, std::string>>& candidates, Pred ok) {
  for (const auto& [id, reason] : candidates) {
    if (ok(id)) return id;
  }
  FAIL("no student fits");
  return "";
}

}  // namespace

ApiWorld::ApiWorld(ApiWorldOptions world_options)
    : dir_(std::make_unique<testing::TempDir>()),
      fx_(std::make_unique<testing::DomainFixture>(dir_->path() / "store", 1'790'000'000'000'000,
                                                   std::move(world_options.domain))),
      impl_(std::make_unique<Impl>()) {
  Services& s = services();
  DemoOptions options;
  options.students = 60;
  options.seed = 11;
  options.today = "2026-09-21";
  std::filesystem::path district = dir_->path() / "district";
  auto summary = WriteDemoDistrict(district, options);
  REQUIRE(summary);
  auto set = imports::ReadImportSet(district);
  REQUIRE(set);
  REQUIRE(s.intake->Import(*set, Actor{"system", "req_import", ""}));
  impl_->zip = ZipFolder(district, summary->files, dir_->path() / "district.zip");
  impl_->district = district;
  impl_->files = summary->files;

  admin = AddAccount(s, "admin", Role::kDistrictAdmin);
  privacy = AddAccount(s, "privacy", Role::kPrivacyOfficer);
  principal =
      AddAccount(s, "principal", Role::kEducator,
                 {std::string(kFlagDistrictwide), std::string(kFlagCanViewRestrictedNotes)});
  outsider = AddAccount(s, "outsider", Role::kEducator);
  REQUIRE(summary->guardians.size() >= 2);
  const DemoGuardian& family = summary->guardians[0];
  guardian = AddAccount(s, family.account.username, Role::kGuardian, {}, family.account.sourced_id);
  child = StudentIdFor(fx_->keys().index_key, family.student_sourced_ids.at(0));
  for (size_t i = 1; i < summary->guardians.size() && other_guardian.user_id.empty(); ++i) {
    const DemoAccount& candidate = summary->guardians[i].account;
    Account a = AddAccount(s, candidate.username, Role::kGuardian, {}, candidate.sourced_id);
    if (!s.roster->IsGuardianOf(a.user_id, child)) other_guardian = a;
  }
  REQUIRE_FALSE(other_guardian.user_id.empty());

  Roster& roster = *s.roster;
  const int64_t now = clock().NowMicros();
  for (const DemoTeacher& t : summary->teachers) {
    Account a = AddAccount(s, t.account.username, Role::kEducator, {}, t.account.sourced_id);
    if (teacher.user_id.empty() &&
        roster.Decide(a.user_id, child, now).reason.starts_with("class:")) {
      teacher = a;
    }
  }
  REQUIRE_FALSE(teacher.user_id.empty());

  auto everyone = roster.AccessibleStudents(principal.user_id, now);
  auto unrelated = [&](const std::string& id) {
    return !roster.Decide(teacher.user_id, id, now).allowed &&
           !roster.IsGuardianOf(guardian.user_id, id) &&
           !roster.IsGuardianOf(other_guardian.user_id, id);
  };
  other_student = First(everyone, unrelated);
  spare_student =
      First(everyone, [&](const std::string& id) { return unrelated(id) && id != other_student; });

  impl_->sessions = std::make_unique<api::SessionStore>(impl_->session_clock);
  impl_->limiter = std::make_unique<api::LoginLimiter>(clock());
  impl_->pool = std::make_unique<api::BlockingPool>(2);
  impl_->login_pool = std::make_unique<api::BlockingPool>(1, kLoginQueue);
  impl_->read_pool = std::make_unique<api::BlockingPool>(2);
  api::ApiContext& context = impl_->context;
  context.services = &s;
  context.clock = &clock();
  context.metrics = impl_->metrics.get();
  context.sessions = impl_->sessions.get();
  context.login_limiter = impl_->limiter.get();
  context.blocking = impl_->pool.get();
  context.login_pool = impl_->login_pool.get();
  context.read_pool = impl_->read_pool.get();
  context.read_limiter = impl_->read_limiter.get();
  http::Router router;
  api::RegisterAllRoutes(router, context);
  http::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.threads = 2;
  server_options.stop_timeout = world_options.stop_timeout;
  server_options.route_body_limits = api::RouteBodyLimits(context);
  impl_->server =
      std::make_unique<http::HttpServer>(server_options, std::move(router), impl_->metrics);
  REQUIRE(impl_->server->Start().ok());
  for (Account* a :
       {&admin, &privacy, &principal, &teacher, &outsider, &guardian, &other_guardian}) {
    Refresh(*a);
  }
}

ApiWorld::~ApiWorld() { impl_.reset(); }

void ApiWorld::EndServing() { impl_.reset(); }

uint16_t ApiWorld::port() const { return impl_->server->port(); }

api::BlockingPool& ApiWorld::login_pool() { return *impl_->login_pool; }

ClientResponse ApiWorld::Call(std::string_view method, std::string_view target,
                              std::string_view token, std::string_view body,
                              std::string_view content_type, std::string_view extra_headers) {
  std::string headers(extra_headers);
  if (!token.empty()) headers += "Authorization: Bearer " + std::string(token) + "\r\n";
  if (!body.empty()) headers += "Content-Type: " + std::string(content_type) + "\r\n";
  http::testing::TestClient client(impl_->server->port(), std::chrono::seconds(120));
  REQUIRE(client.Send(http::testing::BuildRequest(method, target, body, headers)));
  auto response = client.ReadResponse(/*to_head=*/method == "HEAD");
  REQUIRE(response);
  return *response;
}

boost::json::value ApiWorld::Json(const ClientResponse& response) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(response.body, ec);
  INFO(response.body);
  REQUIRE_FALSE(ec);
  return value;
}

uint64_t ApiWorld::LogSize() { return fx_->log().size(); }

std::string ApiWorld::RebuildDifference() {
  testing::TempDir scratch_dir;
  std::unique_ptr<Store> scratch = fx_->Rebuilt(scratch_dir.path() / "db");
  auto difference = FirstDifference(fx_->store(), *scratch, fx_->domain().ColumnFamilies());
  REQUIRE(difference);
  return difference->value_or("");
}

std::vector<LoggedEvent> ApiWorld::EventsSince(uint64_t from, EventType type) {
  std::vector<LoggedEvent> out;
  for (uint64_t seq = from; seq < LogSize(); ++seq) {
    auto event = fx_->log().Read(seq);
    REQUIRE(event);
    if (type == EventType::Unknown || event->header.type == type) out.push_back(std::move(*event));
  }
  return out;
}

void ApiWorld::Refresh(Account& account) {
  account.token = impl_->sessions->Create(account.user_id).value();
}

Account ApiWorld::NewAccount(const std::string& username, Role role) {
  Account account = AddAccount(services(), username, role);
  Refresh(account);
  return account;
}

std::string ApiWorld::ExpiredToken(const Account& account) {
  std::string token = impl_->sessions->Create(account.user_id).value();
  impl_->session_clock.Advance(kSessionIdleMicros + kMicrosPerSecond);
  for (Account* a :
       {&admin, &privacy, &principal, &teacher, &outsider, &guardian, &other_guardian}) {
    Refresh(*a);
  }
  return token;
}

std::string ApiWorld::DistrictZip() const { return impl_->zip; }

std::string ApiWorld::DistrictZip(const std::function<void(const std::filesystem::path&)>& edit) {
  const std::string name = "district-edit-" + std::to_string(++impl_->edits);
  const std::filesystem::path copy = dir_->path() / name;
  std::filesystem::copy(impl_->district, copy, std::filesystem::copy_options::recursive);
  edit(copy);
  return ZipFolder(copy, impl_->files, dir_->path() / (name + ".zip"));
}

Viewed DecodeViewed(const LoggedEvent& event) {
  REQUIRE(event.header.type == EventType::RecordViewed);
  auto* p = VerifiedRoot<fb::RecordViewedPayload>(event.payload);
  REQUIRE(p);
  Viewed out;
  out.scope = fb::EnumNameReadScope(p->scope());
  out.reason = Str(p->reason());
  if (p->students()) {
    for (const auto* s : *p->students()) out.students.push_back(s->student_id()->str());
  }
  return out;
}

std::string DeniedReason(const LoggedEvent& event) {
  REQUIRE(event.header.type == EventType::AccessDenied);
  auto* p = VerifiedRoot<fb::AccessDeniedPayload>(event.payload);
  REQUIRE(p);
  return Str(p->reason());
}

// The store's log, except that every append fails as a full disk would.
class AppendsFail::FailingLog final : public testing::ForwardingEventLog {
 public:
  using ForwardingEventLog::ForwardingEventLog;
  Result<AppendResult> Append(std::vector<NewEvent>) override { return Err(Refusal()); }
  void AppendAsync(std::vector<NewEvent>, std::function<void(Result<AppendResult>)> done) override {
    done(Err(Refusal()));
  }
  Status WriteCheckpoint() override { return Refusal(); }

 private:
  static Status Refusal() { return UnavailableError("disk full (simulated)"); }
};

AppendsFail::AppendsFail(ApiWorld& world)
    : world_(world), real_(world.services().log), failing_(std::make_unique<FailingLog>(*real_)) {
  world_.services().log = failing_.get();
}

AppendsFail::~AppendsFail() { world_.services().log = real_; }

ApiWorld& SharedWorld() {
  static std::unique_ptr<ApiWorld> world = std::make_unique<ApiWorld>();
  return *world;
}

}  // namespace backpack::api_testing
