// Streams the demo's families: each family's students and guardians into
// users.csv (linked both ways by agentSourcedIds), the students'
// demographics, enrollments and supplemental records. Memory stays constant
// per family, whatever the district's size.
#pragma once

#include <string>
#include <vector>

#include "demo/demo_district.h"
#include "demo/internal/demo_files.h"
#include "demo/internal/student_records.h"

namespace backpack::demo {

class FamilyWriter {
 public:
  // `context` and `files` must outlive the writer.
  FamilyWriter(const DemoContext& context, StreamFiles& files, size_t sample_guardians);

  // Writes family `family` (0 .. plan.families.size() - 1). Call in order.
  void WriteFamily(int family);

  int64_t guardians_written() const { return guardians_written_; }
  // The first `sample_guardians` guardians written, for DemoSummary.
  std::vector<DemoGuardian> TakeSampleGuardians() { return std::move(sample_); }

 private:
  struct Guardian {
    std::string sourced_id;
    std::string role;
    Person person;
  };

  std::vector<Guardian> MakeGuardians(Rng& rng, std::string_view family_name);
  void WriteStudent(int index, const Person& person, bool born_abroad,
                    const std::vector<Guardian>& guardians, Rng& rng);
  void WriteDemographics(const StudentProfile& student, const Person& person, bool born_abroad,
                         Rng& rng);
  void WriteEnrollments(const StudentProfile& student);
  void WriteGuardian(const Guardian& guardian, const std::vector<int>& children);

  const DemoContext& context_;
  StreamFiles& files_;
  size_t sample_limit_;
  std::vector<DemoGuardian> sample_;
  int64_t guardians_written_ = 0;
  std::string begin_date_;
  std::string end_date_;
};

}  // namespace backpack::demo
